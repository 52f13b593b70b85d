// The admin server's own answers: what a wrong path is told to try.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createAdminServer, json } from '../../src/admin/admin-server.js';
import { createHealth } from '../../src/admin/health.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';

const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));

async function adminWith(apiRoutes: readonly string[]) {
  const admin = createAdminServer({ endpoint: '127.0.0.1:0', registry: createRegistry({ defaultMetrics: false }), health: createHealth(), logger });
  for (const path of apiRoutes) admin.route('GET', path, (_request, response) => json(response, 200, {}));
  await admin.start();
  return { admin, url: `http://127.0.0.1:${admin.address().port}` };
}

describe('the admin server on an unknown path', () => {
  it('answers 404 naming /api/v1/* beside /metrics and /health when components serve API routes', async () => {
    const { admin, url } = await adminWith(['/api/v1/groups', '/api/v1/groups/:id']);
    try {
      const reply = await fetch(`${url}/api/groups`);
      assert.equal(reply.status, 404);
      assert.equal(await reply.text(), 'no such path /api/groups; try /metrics, /health, /health/live, /health/ready or /api/v1/*\n');
      assert.equal((await fetch(`${url}/api/v1/groups`)).status, 200);
    } finally {
      await admin.shutdown();
    }
  });

  it('does not name /api/v1/* when nothing serves it', async () => {
    const { admin, url } = await adminWith([]);
    try {
      const reply = await fetch(`${url}/api/v1/groups`);
      assert.equal(reply.status, 404);
      assert.equal(await reply.text(), 'no such path /api/v1/groups; try /metrics, /health, /health/live or /health/ready\n');
    } finally {
      await admin.shutdown();
    }
  });
});

describe('the admin server on a path that is not valid percent-encoding', () => {
  it('answers 400 instead of throwing while it looks for a route', async () => {
    const { admin, url } = await adminWith(['/api/v1/groups/:id']);
    try {
      const reply = await fetch(`${url}/api/v1/groups/%E0%A4%A`);
      assert.equal(reply.status, 400);
      assert.match(await reply.text(), /is not valid percent-encoding/);
    } finally {
      await admin.shutdown();
    }
  });
});
