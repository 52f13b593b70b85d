// End to end: a real bundle built by esbuild (minified, with its source map), its map uploaded to
// a real Faultline over HTTP, an error thrown by the bundle in Node and sent by the official
// OpenTelemetry JS SDK: the group shows the original file, line and function.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { buildSync } from 'esbuild';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { groupsOf, request } from '../group/api/faultline-with-groups.js';

const SERVICE = 'storefront-e2e';
const RELEASE = '4.2.0';
const BUNDLE = 'app.5e6f7a8b.mjs';
let work: string;
let running: RunningFaultline;

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'faultline-sourcemaps-e2e-'));
  mkdirSync(path.join(work, 'src'));
  writeFileSync(
    path.join(work, 'src', 'cart.js'),
    'export function checkoutCart(items) {\n  return computeTotal(items);\n}\n\nfunction computeTotal(items) {\n  if (items.length === 0) throw new TypeError("cart is empty");\n  return items.length;\n}\n',
  );
  buildSync({ entryPoints: [path.join(work, 'src', 'cart.js')], bundle: true, minify: true, sourcemap: 'external', format: 'esm', outfile: path.join(work, 'static', BUNDLE) });
  running = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  errors: {}
  group: { source_maps_directory: ${JSON.stringify(path.join(work, 'maps'))} }
  identity: { settle_time: 100ms }
exporters:
  groups: { flush_interval: 100ms }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [errors, group, identity], exporters: [groups] }
  data_dir: ${JSON.stringify(path.join(work, 'data'))}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`);
});
after(async () => {
  await running?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('source maps end to end', () => {
  it('groups an error thrown by a minified bundle under its original function, file and line', async () => {
    const upload = await fetch(`${running.adminUrl}/api/v1/releases/${RELEASE}/sourcemaps?file=${BUNDLE}`, {
      method: 'POST',
      body: readFileSync(path.join(work, 'static', `${BUNDLE}.map`)),
    });
    assert.equal(upload.status, 201);

    const bundle = (await import(pathToFileURL(path.join(work, 'static', BUNDLE)).href)) as { checkoutCart(items: unknown[]): unknown };
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': SERVICE, 'service.version': RELEASE }),
      spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${running.httpUrl}/v1/traces` }) })],
    });
    const span = provider.getTracer('e2e').startSpan('POST /checkout', { kind: SpanKind.SERVER });
    try {
      bundle.checkoutCart([]);
    } catch (error) {
      assert.doesNotMatch((error as Error).stack!, /computeTotal/, 'the bundle really is minified');
      span.recordException(error as Error);
    }
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    await provider.forceFlush();
    await provider.shutdown();

    await eventually(async () => (await groupsOf(running, SERVICE)).length === 1);
    const [summary] = await groupsOf(running, SERVICE);
    const detail = (await request(`${running.adminUrl}/api/v1/groups/${summary.id}`)).body;
    assert.match(detail.culprit, /^computeTotal \(.*src\/cart\.js\)$/);
    const throwSite = detail.frames.at(-1);
    assert.equal(throwSite.line, 6);
    assert.equal(throwSite.source_map, 'resolved');
    assert.match(throwSite.minified.module, new RegExp(`${BUNDLE.replace('.', '\\.')}$`));
  });
});
