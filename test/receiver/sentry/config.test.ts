// receivers.sentry in otel-config.yaml: its defaults, its projects, and what validation says about
// a sentry receiver that has nowhere to listen.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../helpers/config.js';

const PIPELINES = (receivers: string) => `
service:
  pipelines:
    traces: { receivers: [${receivers}], exporters: [prometheus] }
exporters:
  prometheus: {}
`;

describe('receivers.sentry', () => {
  it('serves on the OTLP/HTTP port with no projects by default', () => {
    const loaded = parseConfig(`receivers:\n  otlp: { protocols: { http: {} } }\n  sentry: {}\n${PIPELINES('otlp, sentry')}`, {});
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
    const sentry = loaded.config.receivers.get('sentry') as any;
    assert.equal(sentry.endpoint, '');
    assert.deepEqual(sentry.projects, []);
    assert.equal(sentry.maxEventBytes, 1024 * 1024);
    assert.deepEqual(sentry.cors.allowedOrigins, ['*']);
  });

  it('reads projects, a number or a string as the id, the service defaulting later to sentry-<id>', () => {
    const loaded = parseConfig(
      `receivers:\n  sentry:\n    endpoint: 127.0.0.1:0\n    projects:\n      - { id: 1, keys: [abc] }\n      - { id: "42", keys: [def, ghi], service: shop, events_per_minute: 10 }\n${PIPELINES('sentry')}`,
      {},
    );
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
    const sentry = loaded.config.receivers.get('sentry') as any;
    assert.deepEqual(
      sentry.projects.map((p: any) => [p.id, p.keys, p.service, p.eventsPerMinute]),
      [['1', ['abc'], '', null], ['42', ['def', 'ghi'], 'shop', 10]],
    );
  });

  it('reports a project without keys, a project listed twice and a bad id, each at its path', () => {
    const loaded = parseConfig(
      `receivers:\n  sentry:\n    endpoint: 127.0.0.1:0\n    projects:\n      - { id: 1, keys: [] }\n      - { id: 1, keys: [a] }\n      - { id: abc, keys: [a] }\n${PIPELINES('sentry')}`,
      {},
    );
    assert.ok(!loaded.ok);
    assert.deepEqual(
      loaded.problems.map((problem) => problem.path),
      ['receivers.sentry.projects[0].keys', 'receivers.sentry.projects[2].id'],
    );
    const twice = parseConfig(`receivers:\n  sentry:\n    endpoint: 127.0.0.1:0\n    projects: [{ id: 1, keys: [a] }, { id: 1, keys: [b] }]\n${PIPELINES('sentry')}`, {});
    assert.ok(!twice.ok);
    assert.deepEqual(twice.problems, [{ path: 'receivers.sentry.projects[1].id', message: 'project 1 is listed twice' }]);
  });

  it('asks for an endpoint when no otlp receiver with HTTP runs to share its port', () => {
    const loaded = parseConfig(`receivers:\n  otlp: { protocols: { grpc: {} } }\n  sentry: {}\n${PIPELINES('otlp, sentry')}`, {});
    assert.ok(!loaded.ok);
    assert.equal(loaded.problems.length, 1);
    assert.equal(loaded.problems[0]!.path, 'receivers.sentry.endpoint');
    assert.match(loaded.problems[0]!.message, /no otlp receiver with protocols.http is in a pipeline/);
  });

  it('lets only one sentry receiver share the OTLP/HTTP port', () => {
    const loaded = parseConfig(`receivers:\n  otlp: { protocols: { http: {} } }\n  sentry: {}\n  sentry/two: {}\n${PIPELINES('otlp, sentry, sentry/two')}`, {});
    assert.ok(!loaded.ok);
    assert.deepEqual(loaded.problems, [
      { path: 'receivers.sentry/two.endpoint', message: 'expected host:port: sentry already serves the Sentry endpoints on the OTLP/HTTP port' },
    ]);
  });

  it('counts its own endpoint in the port-clash check', () => {
    const loaded = parseConfig(`receivers:\n  otlp: { protocols: { http: { endpoint: 127.0.0.1:4999 } } }\n  sentry: { endpoint: 127.0.0.1:4999 }\n${PIPELINES('otlp, sentry')}`, {});
    assert.ok(!loaded.ok);
    assert.ok(loaded.problems.some((problem) => problem.path === 'receivers.sentry.endpoint'), JSON.stringify(loaded.problems));
  });
});
