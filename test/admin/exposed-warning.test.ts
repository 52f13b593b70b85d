// The start-up warning for an admin endpoint that anyone on the network can reach: logged (as a
// structured JSON line) when it listens beyond loopback with no credentials, and not on loopback or
// with credentials; `faultline validate` prints the same warning from the config alone. The
// 0.0.0.0 listener is bound only for the start-up path and closed at once; nothing is sent to it.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createAdminServer } from '../../src/admin/admin-server.js';
import { createAdminGate } from '../../src/admin/auth.js';
import { ADMIN_AUTH_DEFAULTS, type AdminAuthConfig } from '../../src/config/admin-auth.js';
import { configWarnings } from '../../src/config/warnings.js';
import { COMPONENTS } from '../../src/components.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { parseConfig } from '../helpers/config.js';

const WITH_TOKEN: AdminAuthConfig = { ...ADMIN_AUTH_DEFAULTS, bearerTokens: [{ token: 'token-0123456789abcdef', access: 'read' }] };

/** A logger that keeps its lines, and its warn-level lines. */
function keptLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', destination), warnings: () => lines.filter((line) => line.level === 'warn') };
}

/** The warn-level log lines of an admin server started on loopback `endpoint` and stopped again. */
async function warningsAt(endpoint: string, auth: AdminAuthConfig): Promise<Record<string, unknown>[]> {
  const { logger, warnings } = keptLogger();
  const admin = createAdminServer({ endpoint, auth, registry: createRegistry({ defaultMetrics: false }), logger });
  await admin.start();
  await admin.shutdown();
  return warnings();
}

/** The warn-level log lines of the gate told that the endpoint is bound to 0.0.0.0:9464. */
function warningsOnAllInterfaces(auth: AdminAuthConfig): Record<string, unknown>[] {
  const { logger, warnings } = keptLogger();
  createAdminGate({ auth, registry: createRegistry({ defaultMetrics: false }), logger }).warnIfExposed('0.0.0.0', '0.0.0.0:9464');
  return warnings();
}

describe('the warning for an admin endpoint open beyond loopback', () => {
  it('is logged for 0.0.0.0 without credentials, naming the endpoint and the setting', () => {
    const [warning, ...more] = warningsOnAllInterfaces(ADMIN_AUTH_DEFAULTS);
    assert.equal(more.length, 0);
    assert.match(String(warning?.msg), /the admin endpoint listens beyond loopback without authentication/);
    assert.equal(warning?.endpoint, '0.0.0.0:9464');
    assert.equal(warning?.setting, 'service.telemetry.metrics.auth');
  });

  it('is not logged on 127.0.0.1', async () => {
    assert.deepEqual(await warningsAt('127.0.0.1:0', ADMIN_AUTH_DEFAULTS), []);
  });

  it('is not logged for 0.0.0.0 once credentials are configured', () => {
    assert.deepEqual(warningsOnAllInterfaces(WITH_TOKEN), []);
  });

  it('is printed by validate for the default address, and not for a loopback one', () => {
    const warningsOf = (metrics: string) => {
      const loaded = parseConfig(`receivers: { otlp: { protocols: { http: {} } } }\nexporters: { prometheus: {} }\nservice:\n  pipelines: { traces: { receivers: [otlp], exporters: [prometheus] } }\n  telemetry: { metrics: ${metrics} }\n`, {});
      if (!loaded.ok) assert.fail(JSON.stringify(loaded.problems));
      return configWarnings(loaded.config, COMPONENTS).filter((problem) => problem.path === 'service.telemetry.metrics.auth');
    };
    assert.equal(warningsOf('{}').length, 1);
    assert.equal(warningsOf('{ address: "127.0.0.1:9464" }').length, 0);
    assert.equal(warningsOf('{ address: "[::1]:9464" }').length, 0);
  });
});
