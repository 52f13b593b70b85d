// esbuild bundles imported stylesheets into the app's CSS file; for the type checker they are modules of nothing.
declare module '*.css';
