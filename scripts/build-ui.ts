// Bundles the web UI (src/ui/client/) with esbuild into dist/ui/assets/, each file named by its
// content hash (served as immutable), and writes dist/ui/manifest.json, which the admin endpoint
// reads to fill its HTML shell (src/ui/ui-routes.ts). `npm run build` runs it after tsc, which
// type-checks the client with its own tsconfig. Prints the gzipped size README quotes.
//   node dist/scripts/build-ui.js

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = path.join(ROOT, 'dist', 'ui');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(path.join(OUT, 'assets'), { recursive: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { app: 'src/ui/client/main.tsx' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: path.join(OUT, 'assets'),
  entryNames: '[name]-[hash]',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
const script = outputs.find((file) => file.endsWith('.js'));
const style = outputs.find((file) => file.endsWith('.css'));
if (script === undefined || style === undefined) throw new Error(`esbuild gave ${outputs.join(', ')}: expected one .js and one .css`);
const sizes = Object.fromEntries(
  [script, style].map((file) => {
    const bytes = readFileSync(path.join(OUT, 'assets', file));
    return [file, { bytes: bytes.length, gzip_bytes: gzipSync(bytes, { level: 9 }).length }];
  }),
);
writeFileSync(path.join(OUT, 'manifest.json'), `${JSON.stringify({ script, style, sizes }, null, 2)}\n`);
const total = Object.values(sizes).reduce((sum, size) => sum + size.gzip_bytes, 0);
console.log(`web UI: ${script} + ${style}, ${(total / 1024).toFixed(1)} KiB gzipped`);
