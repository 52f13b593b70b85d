// The web UI on the admin endpoint: a Preact app (src/ui/client/, bundled by scripts/build-ui.ts
// into dist/ui/) that reads the same /api/v1/* the docs describe.
//   GET /                     → 302 to /ui/
//   GET /ui/, /ui/alerts, /ui/status, /ui/issues/:id
//                             → the HTML shell (no-cache): the app draws the page from the URL
//   GET /ui/assets/:file      → the bundle's files, named by content hash, cached for a year as
//                               immutable; 404 for any other name
// Key: service.trace_url (the trace link template, handed to the app in the shell). Works offline:
// nothing is loaded from elsewhere (the Content-Security-Policy says so to the browser). Without
// a bundle (a build that ran tsc alone) the shell says to run `npm run build`.

import { readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdminRoutes } from '../admin/routes.js';

const DIST_UI = fileURLToPath(new URL('../../ui/', import.meta.url));
const ASSET_NAME = /^[A-Za-z0-9_-]+\.(js|css)$/;
const CONTENT_TYPES: Readonly<Record<string, string>> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const PAGES = new Set(['alerts', 'status']);
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

interface Manifest {
  readonly script: string;
  readonly style: string;
}

export interface UiOptions {
  /** service.trace_url: `{trace_id}` in it is replaced by a sample's trace id; '' for no links. */
  readonly traceUrl: string;
  /** Where the bundle is (default dist/ui/ beside this build). */
  readonly directory?: string;
}

export function registerUi(admin: AdminRoutes, options: UiOptions): void {
  const directory = options.directory ?? DIST_UI;
  let manifest: Manifest | undefined;
  const readManifest = (): Manifest | undefined => {
    try {
      manifest ??= JSON.parse(readFileSync(path.join(directory, 'manifest.json'), 'utf8')) as Manifest;
    } catch {
      // not built: the shell says so, and the next request looks again
    }
    return manifest;
  };
  const shell = (_request: http.IncomingMessage, response: http.ServerResponse) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
    response.end(shellHtml(readManifest(), options.traceUrl));
  };

  admin.route('GET', '/', (_request, response) => {
    response.writeHead(302, { Location: '/ui/' }).end();
  });
  admin.route('GET', '/ui', (_request, response) => {
    response.writeHead(301, { Location: '/ui/' }).end();
  });
  admin.route('GET', '/ui/', shell);
  admin.route('GET', '/ui/issues/:id', shell);
  admin.route('GET', '/ui/:page', (request, response, params) => {
    if (PAGES.has(params.page!)) return shell(request, response);
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`no page /ui/${params.page}; try /ui/, /ui/alerts or /ui/status\n`);
  });
  admin.route('GET', '/ui/assets/:file', (_request, response, params) => {
    const file = params.file!;
    const match = ASSET_NAME.exec(file);
    let body: Buffer | undefined;
    if (match !== null) {
      try {
        body = readFileSync(path.join(directory, 'assets', file));
      } catch {
        body = undefined;
      }
    }
    if (match === null || body === undefined) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`no asset ${file}\n`);
      return;
    }
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[match[1]!]!,
      'Content-Length': body.length,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    });
    response.end(body);
  });
}

function shellHtml(manifest: Manifest | undefined, traceUrl: string): string {
  // JSON inside <script>: `<` escaped so no value can close the element.
  const settings = JSON.stringify({ traceUrl }).replace(/</g, '\\u003c');
  const head = manifest === undefined ? '' : `<link rel="stylesheet" href="/ui/assets/${manifest.style}">\n<script type="module" src="/ui/assets/${manifest.script}"></script>`;
  const body =
    manifest === undefined
      ? '<p style="font-family: sans-serif; padding: 20px">The web UI is not built: run <code>npm run build</code> (it bundles src/ui/client/ into dist/ui/).</p>'
      : '<div id="app"></div>\n<noscript>The Faultline web UI needs JavaScript; the same data is at /api/v1/groups.</noscript>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Faultline</title>
${head}
<script type="application/json" id="faultline-ui">${settings}</script>
</head>
<body>
${body}
</body>
</html>
`;
}
