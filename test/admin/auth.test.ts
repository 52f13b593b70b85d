// The admin endpoint's authentication (service.telemetry.metrics.auth) against a real Faultline with
// the groups API: who may read, who may resolve a group, what a browser page of another site is
// refused (CSRF), what stays open, and what the refusals count. Over real HTTP on 127.0.0.1.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../src/admin/password-hash.js';
import { eventually } from '../helpers/faultline.js';
import { sampleValue } from '../helpers/prom-text.js';
import { groupsOf, report, reportOf, request, startWithGroups, type GroupsFaultline, type JsonReply } from '../group/api/faultline-with-groups.js';

const READ_TOKEN = 'read-4f1c0e9a7b2d6c3e';
const WRITE_TOKEN = 'write-8a2b5d0f1e7c9b4a';
const PASSWORD = 'a long passphrase, not in the config';
// A cheap cost keeps the test fast; the format and the check are those of the default cost.
const FAST = { cost: 1024, blockSize: 8, parallelization: 1 };

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the admin endpoint with bearer tokens and basic auth users', () => {
  let running: GroupsFaultline;
  let groupId: string;

  /** PATCH the group's state with `headers`. */
  const resolve = (headers: Record<string, string>, state = 'resolved'): Promise<JsonReply> =>
    request(`${running.adminUrl}/api/v1/groups/${groupId}`, {
      method: 'PATCH',
      body: JSON.stringify({ state }),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const ownOrigin = () => running.adminUrl;

  before(async () => {
    const [writerHash, readerHash] = await Promise.all([hashPassword(PASSWORD, FAST), hashPassword(`${PASSWORD} too`, FAST)]);
    running = await startWithGroups({
      adminAuth: `{
        bearer_tokens: [{ token: ${READ_TOKEN}, access: read }, { token: ${WRITE_TOKEN}, access: write }],
        basic_auth: [{ username: alice, password_hash: "${writerHash}", access: write }, { username: bob, password_hash: "${readerHash}", access: read }] }`,
    });
    assert.equal((await report(running.httpUrl, reportOf('checkout', 'card declined'))).status, 201);
    await eventually(async () => (await request(`${running.adminUrl}/api/v1/groups?service=checkout`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).body?.groups?.length === 1);
    groupId = (await request(`${running.adminUrl}/api/v1/groups?service=checkout`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).body.groups[0].id;
  });
  after(() => running.stop());

  it('answers 401 with a Bearer and a Basic challenge when a request carries no credentials', async () => {
    const reply = await request(`${running.adminUrl}/api/v1/groups`);
    assert.equal(reply.status, 401);
    assert.equal(reply.headers.get('www-authenticate'), 'Bearer realm="faultline", Basic realm="faultline", charset="UTF-8"');
    assert.match(reply.body.error, /authentication required/);
  });

  it('answers 401 for a wrong token, an unknown user and a wrong password', async () => {
    for (const authorization of [`Bearer ${WRITE_TOKEN}x`, 'Bearer short', basic('mallory', PASSWORD), basic('alice', 'guess')]) {
      const reply = await request(`${running.adminUrl}/api/v1/groups`, { headers: { authorization } });
      assert.equal(reply.status, 401, authorization);
      assert.equal(reply.body.error, 'the credentials were not accepted');
    }
  });

  it('lets a read token list groups, and answers 403 when it tries to resolve one', async () => {
    const listed = await request(`${running.adminUrl}/api/v1/groups`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.groups.length, 1);
    const refused = await resolve({ authorization: `Bearer ${READ_TOKEN}` });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /PATCH needs write access/);
  });

  it('lets a write token resolve a group, with no CSRF header (curl and scripts are not CSRF-prone)', async () => {
    const reply = await resolve({ authorization: `Bearer ${WRITE_TOKEN}` });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.state, 'resolved');
  });

  it('accepts a basic-auth user whose password matches its hash, and a read-only user only for reading', async () => {
    assert.equal((await request(`${running.adminUrl}/api/v1/groups`, { headers: { authorization: basic('alice', PASSWORD) } })).status, 200);
    assert.equal((await request(`${running.adminUrl}/api/v1/groups`, { headers: { authorization: basic('bob', `${PASSWORD} too`) } })).status, 200);
    const bobWrites = await resolve({ authorization: basic('bob', `${PASSWORD} too`), origin: ownOrigin(), 'x-faultline-csrf': '1' });
    assert.equal(bobWrites.status, 403);
  });

  it('refuses a basic-auth PATCH without the X-Faultline-CSRF header', async () => {
    const reply = await resolve({ authorization: basic('alice', PASSWORD), origin: ownOrigin() });
    assert.equal(reply.status, 403);
    assert.match(reply.body.error, /needs the header X-Faultline-CSRF: 1/);
  });

  it('refuses a PATCH from a foreign Origin or another site, even with the header and valid credentials', async () => {
    const fromElsewhere = await resolve({ authorization: basic('alice', PASSWORD), origin: 'https://evil.example', 'x-faultline-csrf': '1' });
    assert.equal(fromElsewhere.status, 403);
    assert.match(fromElsewhere.body.error, /origin "https:\/\/evil\.example" refused/);
    const crossSite = await resolve({ authorization: basic('alice', PASSWORD), 'sec-fetch-site': 'cross-site', 'x-faultline-csrf': '1' });
    assert.equal(crossSite.status, 403);
    const tokenFromElsewhere = await resolve({ authorization: `Bearer ${WRITE_TOKEN}`, origin: 'null' });
    assert.equal(tokenFromElsewhere.status, 403);
  });

  it('accepts a basic-auth PATCH from its own origin with the header', async () => {
    const reply = await resolve({ authorization: basic('alice', PASSWORD), origin: ownOrigin(), 'sec-fetch-site': 'same-origin', 'x-faultline-csrf': '1' }, 'unresolved');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.state, 'unresolved');
  });

  it('tells each caller how it was admitted and what it may do at GET /api/v1/session', async () => {
    const session = async (authorization: string) => (await request(`${running.adminUrl}/api/v1/session`, { headers: { authorization } })).body;
    assert.deepEqual(await session(`Bearer ${READ_TOKEN}`), { auth: 'bearer', access: 'read' });
    assert.deepEqual(await session(`Bearer ${WRITE_TOKEN}`), { auth: 'bearer', access: 'write' });
    assert.deepEqual(await session(basic('alice', PASSWORD)), { auth: 'basic', access: 'write' });
    assert.deepEqual(await session(basic('bob', `${PASSWORD} too`)), { auth: 'basic', access: 'read' });
    assert.equal((await request(`${running.adminUrl}/api/v1/session`)).status, 401);
  });

  it('leaves /metrics, /health and the static UI assets open by default', async () => {
    assert.equal((await request(`${running.adminUrl}/metrics`)).status, 200);
    assert.notEqual((await request(`${running.adminUrl}/health/live`)).status, 401);
    assert.notEqual((await request(`${running.adminUrl}/ui/assets/app.js`)).status, 401);
  });

  it('answers a report sent to the admin port with where reports go now, without asking for credentials', async () => {
    const reply = await report(running.adminUrl, reportOf('checkout', 'lost'));
    assert.equal(reply.status, 410);
    assert.match(reply.body.error, /POST them to \/api\/v1\/report on the OTLP\/HTTP port/);
  });

  it('counts every refusal by its reason', async () => {
    const text = await running.scrape();
    for (const reason of ['missing_credentials', 'bad_credentials', 'read_only', 'cross_origin', 'missing_csrf_header']) {
      assert.ok((sampleValue(text, 'faultline_admin_auth_failures_total', { reason }) ?? 0) >= 1, reason);
    }
  });
});

describe('the admin endpoint with protect_metrics and protect_health', () => {
  let running: GroupsFaultline;
  before(async () => {
    running = await startWithGroups({ adminAuth: `{ bearer_tokens: [{ token: ${READ_TOKEN}, access: read }], protect_metrics: true, protect_health: true }` });
  });
  after(() => running.stop());

  it('asks for credentials on /metrics and /health*, and serves them to a read token', async () => {
    for (const path of ['/metrics', '/health', '/health/live', '/health/ready']) {
      const refused = await request(`${running.adminUrl}${path}`);
      assert.equal(refused.status, 401, path);
      assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="faultline"', path);
      assert.notEqual((await request(`${running.adminUrl}${path}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).status, 401, path);
    }
  });
});

describe('the admin endpoint with no credentials configured', () => {
  let running: GroupsFaultline;
  before(async () => {
    running = await startWithGroups();
    assert.equal((await report(running.httpUrl, reportOf('open', 'boom'))).status, 201);
    await eventually(async () => (await groupsOf(running, 'open')).length === 1);
  });
  after(() => running.stop());

  it('lets anyone read and write, and says so at GET /api/v1/session', async () => {
    assert.deepEqual((await request(`${running.adminUrl}/api/v1/session`)).body, { auth: 'none', access: 'write' });
    const [group] = await groupsOf(running, 'open');
    const reply = await request(`${running.adminUrl}/api/v1/groups/${group.id}`, { method: 'PATCH', body: '{"state":"ignored"}', headers: { 'content-type': 'application/json' } });
    assert.equal(reply.status, 200);
  });

  it('still refuses a write from a page of another origin', async () => {
    const [group] = await groupsOf(running, 'open');
    const reply = await request(`${running.adminUrl}/api/v1/groups/${group.id}`, {
      method: 'PATCH',
      body: '{"state":"resolved"}',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
    });
    assert.equal(reply.status, 403);
  });
});
