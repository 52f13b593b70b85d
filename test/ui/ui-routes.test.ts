// The web UI's routes on a real admin server (src/ui/ui-routes.ts) over a bundle laid out as
// scripts/build-ui.ts writes it, and GET /api/v1/status on a real Faultline: the shell names the
// hashed assets and carries the trace link template safely, assets are cached as immutable and
// nothing outside the bundle is served, the status shows no channel URL or secret.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createAdminServer, type AdminServer } from '../../src/admin/admin-server.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { registerUi } from '../../src/ui/ui-routes.js';
import { startFaultline } from '../helpers/faultline.js';

const TRACE_URL = 'https://jaeger.example.test/trace/{trace_id}?x=</script><script>alert(1)</script>';
let work: string;
let admin: AdminServer;
let base: string;

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'faultline-ui-routes-'));
  mkdirSync(path.join(work, 'assets'));
  writeFileSync(path.join(work, 'assets', 'app-ABC123.js'), 'console.log("app")');
  writeFileSync(path.join(work, 'assets', 'app-DEF456.css'), 'body{}');
  writeFileSync(path.join(work, 'secret.txt'), 'not an asset');
  writeFileSync(path.join(work, 'manifest.json'), JSON.stringify({ script: 'app-ABC123.js', style: 'app-DEF456.css' }));
  admin = createAdminServer({ endpoint: '127.0.0.1:0', registry: createRegistry({ defaultMetrics: false }), logger: createLogger('silent', new Writable({ write: (_c, _e, done) => done() })) });
  registerUi(admin, { traceUrl: TRACE_URL, directory: work });
  await admin.start();
  base = `http://127.0.0.1:${admin.address().port}`;
});
after(async () => {
  await admin?.shutdown();
  rmSync(work, { recursive: true, force: true });
});

describe('the web UI routes', () => {
  it('redirects / to /ui/', async () => {
    const response = await fetch(`${base}/`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/ui/');
  });

  for (const page of ['/ui/', '/ui/alerts', '/ui/status', '/ui/issues/0123abcd']) {
    it(`serves the shell for ${page}, naming the hashed assets, never cached stale`, async () => {
      const response = await fetch(`${base}${page}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type')!, /^text\/html/);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
      assert.match(response.headers.get('content-security-policy')!, /default-src 'self'/);
      const html = await response.text();
      assert.match(html, /<script type="module" src="\/ui\/assets\/app-ABC123\.js"><\/script>/);
      assert.match(html, /<link rel="stylesheet" href="\/ui\/assets\/app-DEF456\.css">/);
    });
  }

  it('hands the trace link template to the app as JSON that cannot close its script element', async () => {
    const html = await (await fetch(`${base}/ui/`)).text();
    const json = /<script type="application\/json" id="faultline-ui">(.*?)<\/script>/s.exec(html)![1]!;
    assert.ok(!json.includes('</script>'));
    assert.deepEqual(JSON.parse(json), { traceUrl: TRACE_URL });
  });

  it('serves assets by hashed name as immutable for a year', async () => {
    const response = await fetch(`${base}/ui/assets/app-ABC123.js`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(response.headers.get('content-type')!, /^text\/javascript/);
    assert.equal(await response.text(), 'console.log("app")');
    assert.match((await fetch(`${base}/ui/assets/app-DEF456.css`)).headers.get('content-type')!, /^text\/css/);
  });

  for (const file of ['app-MISSING.js', '..%2Fsecret.txt', 'secret.txt', '..%2Fmanifest.json']) {
    it(`answers 404 for ${file}, nothing outside the bundle's assets`, async () => {
      const response = await fetch(`${base}/ui/assets/${file}`);
      assert.equal(response.status, 404);
      assert.doesNotMatch(await response.text(), /not an asset|app-ABC123/);
    });
  }

  it('answers 404 for a page the app does not have', async () => {
    assert.equal((await fetch(`${base}/ui/settings`)).status, 404);
  });

  it('says to run npm run build when the bundle is missing', async () => {
    const bare = createAdminServer({ endpoint: '127.0.0.1:0', registry: createRegistry({ defaultMetrics: false }), logger: createLogger('silent', new Writable({ write: (_c, _e, done) => done() })) });
    registerUi(bare, { traceUrl: '', directory: path.join(work, 'nothing-here') });
    await bare.start();
    try {
      const html = await (await fetch(`http://127.0.0.1:${bare.address().port}/ui/`)).text();
      assert.match(html, /npm run build/);
    } finally {
      await bare.shutdown();
    }
  });
});

describe('GET /api/v1/status', () => {
  it('shows the version, health, queue, storage and components by id and type, never a setting', async () => {
    const secretUrl = 'http://127.0.0.1:9/hooks/T0-STATUS-SECRET';
    const dataDir = mkdtempSync(path.join(tmpdir(), 'faultline-status-'));
    const running = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  groups: {}
  alerts:
    channels:
      ops: { type: webhook, url: "${secretUrl}", secrets: ["whsec-status-secret"] }
    rules:
      - { name: new-errors, type: new_group }
extensions:
  health_check: {}
service:
  extensions: [health_check]
  data_dir: ${JSON.stringify(dataDir)}
  pipelines:
    traces: { receivers: [otlp], exporters: [groups, alerts] }
  telemetry:
    metrics: { address: 127.0.0.1:0 }
`);
    try {
      const response = await fetch(`${running.adminUrl}/api/v1/status`);
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.ok(!text.includes('T0-STATUS-SECRET') && !text.includes('whsec-status-secret'), 'no channel URL or secret');
      const status = JSON.parse(text);
      const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
      assert.equal(status.version, packageJson.version);
      assert.equal(status.health.status, 'ok');
      assert.equal(status.health.components['exporter.groups'].state, 'ok');
      assert.equal(status.storage.engine, 'sqlite');
      assert.ok(status.storage.size_bytes > 0);
      assert.deepEqual(status.queue, { depth: 0, capacity: 100_000 });
      assert.deepEqual(status.config.exporters, [
        { id: 'groups', type: 'groups' },
        { id: 'alerts', type: 'alerts' },
      ]);
      assert.deepEqual(status.config.pipelines.traces, { receivers: ['otlp'], processors: [], exporters: ['groups', 'alerts'] });
    } finally {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
