// The health_check extension works as in the OpenTelemetry Collector: configured under
// `extensions` it does nothing until `service.extensions` lists it; listed, the admin endpoint
// serves /health, /health/live and /health/ready. The bundled config lists it, so the Dockerfile's
// HEALTHCHECK and the Kubernetes probes (test/prometheus/deploy.test.ts) find their paths.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadConfigFile } from '../helpers/config.js';
import { createLogger } from '../../src/internal/logger.js';
import { COMPONENTS } from '../../src/components.js';
import { createFaultline } from '../../src/service.js';
import { DEFAULT_TEST_CONFIG, startFaultline } from '../helpers/faultline.js';

const HEALTH_PATHS = ['/health', '/health/live', '/health/ready'];

async function statuses(adminUrl: string, paths: readonly string[]): Promise<number[]> {
  return Promise.all(paths.map(async (pathname) => (await fetch(`${adminUrl}${pathname}`)).status));
}

describe('the health_check extension', () => {
  it('serves /health, /health/live and /health/ready when service.extensions lists it', async () => {
    const running = await startFaultline(DEFAULT_TEST_CONFIG);
    try {
      assert.deepEqual(await statuses(running.adminUrl, HEALTH_PATHS), [200, 200, 200]);
    } finally {
      await running.stop();
    }
  });

  it('serves none of them when it is configured but not listed, and still serves /metrics', async () => {
    const unlisted = DEFAULT_TEST_CONFIG.replace('  extensions: [health_check]\n', '');
    assert.notEqual(unlisted, DEFAULT_TEST_CONFIG);
    const running = await startFaultline(unlisted);
    try {
      assert.deepEqual(await statuses(running.adminUrl, [...HEALTH_PATHS, '/metrics']), [404, 404, 404, 200]);
      const reply = await fetch(`${running.adminUrl}/health/ready`);
      // The status API (/api/v1/status, for the web UI) is always served.
      assert.equal(await reply.text(), 'no such path /health/ready; try /metrics or /api/v1/*\n');
    } finally {
      await running.stop();
    }
  });

  it('is on in the bundled otel-config.yaml, so /health/live and /health/ready answer 200', async () => {
    const bundled = fileURLToPath(new URL('../../../otel-config.yaml', import.meta.url));
    const loaded = await loadConfigFile(bundled, {
      FAULTLINE_GRPC_ENDPOINT: '127.0.0.1:0',
      FAULTLINE_HTTP_ENDPOINT: '127.0.0.1:0',
      FAULTLINE_ADMIN_ENDPOINT: '127.0.0.1:0',
      FAULTLINE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'faultline-health-')),
    });
    assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.problems));
    const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
    const faultline = createFaultline(loaded.config, COMPONENTS, { logger });
    await faultline.start();
    try {
      const adminUrl = `http://127.0.0.1:${faultline.addresses().admin!.port}`;
      assert.deepEqual(await statuses(adminUrl, ['/health/live', '/health/ready']), [200, 200]);
    } finally {
      await faultline.shutdown();
    }
  });
});
