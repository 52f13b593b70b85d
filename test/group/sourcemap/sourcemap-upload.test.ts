// The source-map upload over HTTP against a real admin server: a real esbuild map is stored for
// its release, and the next error thrown by that bundle groups by the original function.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { buildSync } from 'esbuild';
import { createAdminServer } from '../../../src/admin/admin-server.js';
import { createHealth } from '../../../src/admin/health.js';
import { computeGrouping, createGroupingOptions } from '../../../src/group/fingerprint.js';
import { createSourceMaps } from '../../../src/group/sourcemap/source-maps.js';
import { registerSourceMapUpload } from '../../../src/group/sourcemap/sourcemap-upload.js';
import { createLogger } from '../../../src/internal/logger.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { errorEvent } from '../event-fixtures.js';

let work: string;
let maps: string;
let admin: ReturnType<typeof createAdminServer>;
let releases: string;

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'faultline-upload-'));
  maps = path.join(work, 'maps');
  mkdirSync(path.join(work, 'src'));
  writeFileSync(path.join(work, 'src', 'orders.js'), 'export function placeOrder(order) {\n  return reserveStock(order);\n}\nfunction reserveStock(order) {\n  if (!order.sku) throw new RangeError("no sku");\n  return order.sku;\n}\n');
  const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
  admin = createAdminServer({ endpoint: '127.0.0.1:0', registry: createRegistry({ defaultMetrics: false }), health: createHealth(), logger });
  registerSourceMapUpload(admin, createSourceMaps(maps));
  await admin.start();
  releases = `http://127.0.0.1:${admin.address().port}/api/v1/releases`;
});
after(async () => {
  await admin.shutdown();
  rmSync(work, { recursive: true, force: true });
});

describe('POST /api/v1/releases/:release/sourcemaps', () => {
  it('stores a real esbuild map, and the bundle\'s next error groups by its original function', async () => {
    const bundle = path.join(work, 'static', 'orders.7c1d2e3f.mjs');
    buildSync({ entryPoints: [path.join(work, 'src', 'orders.js')], bundle: true, minify: true, sourcemap: 'external', format: 'esm', outfile: bundle });
    const upload = await fetch(`${releases}/3.1.0/sourcemaps?file=orders.7c1d2e3f.mjs`, { method: 'POST', body: readFileSync(`${bundle}.map`) });
    assert.equal(upload.status, 201);
    assert.deepEqual(((await upload.json()) as { file: string }).file, 'orders.7c1d2e3f.mjs');
    assert.ok(existsSync(path.join(maps, '3.1.0', 'orders.7c1d2e3f.mjs.map')));

    let stack = '';
    try {
      ((await import(pathToFileURL(bundle).href)) as { placeOrder(order: object): unknown }).placeOrder({});
    } catch (error) {
      stack = (error as Error).stack!;
    }
    const options = createGroupingOptions({ inAppInclude: [], inAppExclude: [], fingerprintRules: [], sourceMapsDirectory: maps });
    const grouping = computeGrouping(errorEvent({ type: 'RangeError', message: 'no sku', stacktrace: stack, serviceVersion: '3.1.0' }), options);
    assert.match(grouping.culprit, /^reserveStock \(.*src\/orders\.js\)$/);
  });

  it('answers 400 for a body that is not a source map, or a file name that is a path', async () => {
    assert.equal((await fetch(`${releases}/3.1.0/sourcemaps?file=a.js`, { method: 'POST', body: '{"not":"a map"}' })).status, 400);
    const map = JSON.stringify({ version: 3, sources: ['a.js'], names: [], mappings: 'AAAA' });
    assert.equal((await fetch(`${releases}/3.1.0/sourcemaps?file=..%2F..%2Fetc%2Fx.js`, { method: 'POST', body: map })).status, 400);
    assert.equal((await fetch(`${releases}/3.1.0/sourcemaps`, { method: 'POST', body: map })).status, 400, 'no file named and none in the map');
  });
});
