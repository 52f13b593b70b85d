// Validation of service.telemetry.metrics.auth and of where the report receiver may serve: each
// mistake is named at its YAML path in words a user can act on, and a secret's value never appears
// in a message.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../helpers/config.js';

const HASH = 'scrypt$32768$8$1$LJF8DzpqmtxKE7E4KFWB5Q$4zotnl7TUxwvE-jhMCdz6U4RTKGZdsNmoMHlrIhnFqE';

function problemsOf(auth: string): { path: string; message: string }[] {
  const loaded = parseConfig(
    `receivers: { otlp: { protocols: { http: {} } } }
exporters: { prometheus: {} }
service:
  pipelines: { traces: { receivers: [otlp], exporters: [prometheus] } }
  telemetry: { metrics: { address: 127.0.0.1:9464, auth: ${auth} } }
`,
    {},
  );
  return loaded.ok ? [] : [...loaded.problems];
}

describe('service.telemetry.metrics.auth', () => {
  it('accepts tokens and users with hashed passwords', () => {
    assert.deepEqual(problemsOf(`{ bearer_tokens: [{ token: token-0123456789abcdef, access: read }], basic_auth: [{ username: alice, password_hash: "${HASH}", access: write }] }`), []);
  });

  it('names an unknown access level and the levels there are', () => {
    assert.deepEqual(problemsOf('{ bearer_tokens: [{ token: token-0123456789abcdef, access: admin }] }'), [
      { path: 'service.telemetry.metrics.auth.bearer_tokens[0].access', message: 'expected one of read, write, got "admin"' },
    ]);
  });

  it('refuses a plain-text password where a hash is expected, without showing it', () => {
    const problems = problemsOf('{ basic_auth: [{ username: alice, password_hash: "hunter2-password", access: write }] }');
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.path, 'service.telemetry.metrics.auth.basic_auth[0].password_hash');
    assert.match(problems[0]!.message, /expected a password hash made by `faultline hash-password`/);
    assert.match(problems[0]!.message, /plain-text password: put only its hash in the config/);
    assert.ok(!problems[0]!.message.includes('hunter2'));
  });

  it('refuses a hash with parameters a server cannot afford to check', () => {
    const tooCostly = HASH.replace('$32768$', '$4194304$');
    assert.match(problemsOf(`{ basic_auth: [{ username: alice, password_hash: "${tooCostly}", access: write }] }`)[0]!.message, /a malformed scrypt hash/);
  });

  it('refuses a short or empty token (an unset environment variable), without showing it', () => {
    const short = problemsOf('{ bearer_tokens: [{ token: s3cret, access: write }] }');
    assert.equal(short[0]!.path, 'service.telemetry.metrics.auth.bearer_tokens[0].token');
    assert.match(short[0]!.message, /expected a token of at least 16 characters.*got 6 characters \(the value is not shown\)/);
    assert.ok(!short[0]!.message.includes('s3cret'));
    assert.match(problemsOf('{ bearer_tokens: [{ token: "", access: write }] }')[0]!.message, /is its environment variable set\?/);
  });

  it('refuses a token listed twice and a user named twice, without showing the token', () => {
    const problems = problemsOf(`{
      bearer_tokens: [{ token: token-0123456789abcdef, access: read }, { token: token-0123456789abcdef, access: write }],
      basic_auth: [{ username: alice, password_hash: "${HASH}", access: read }, { username: alice, password_hash: "${HASH}", access: write }] }`);
    assert.deepEqual(problems, [
      { path: 'service.telemetry.metrics.auth.bearer_tokens[1]', message: 'the same token as service.telemetry.metrics.auth.bearer_tokens[0]' },
      { path: 'service.telemetry.metrics.auth.basic_auth[1]', message: 'the same username as service.telemetry.metrics.auth.basic_auth[0]' },
    ]);
  });

  it('refuses a user name with a colon and a user without an access level', () => {
    assert.deepEqual(problemsOf(`{ basic_auth: [{ username: "a:b", password_hash: "${HASH}" }] }`), [
      { path: 'service.telemetry.metrics.auth.basic_auth[0].username', message: 'expected a user name without ":" or spaces around it (Basic auth sends user:password)' },
      { path: 'service.telemetry.metrics.auth.basic_auth[0].access', message: 'expected one of read, write, got nothing' },
    ]);
  });
});

describe('receivers.report.endpoint', () => {
  it('asks for an endpoint when no OTLP/HTTP listener runs to serve reports on', () => {
    const loaded = parseConfig(
      `receivers: { report: {} }
exporters: { prometheus: {} }
service:
  pipelines: { logs: { receivers: [report], exporters: [prometheus] } }
`,
      {},
    );
    assert.equal(loaded.ok, false);
    assert.deepEqual(loaded.ok ? [] : loaded.problems, [
      {
        path: 'receivers.report.endpoint',
        message: 'expected host:port: with no endpoint the report receiver serves on the OTLP/HTTP port, and no otlp receiver with protocols.http is in a pipeline',
      },
    ]);
  });

  it('takes a port of its own, checked against the other listeners', () => {
    const loaded = parseConfig(
      `receivers: { report: { endpoint: "127.0.0.1:9464" } }
exporters: { prometheus: {} }
service:
  pipelines: { logs: { receivers: [report], exporters: [prometheus] } }
  telemetry: { metrics: { address: 127.0.0.1:9464 } }
`,
      {},
    );
    assert.deepEqual(loaded.ok ? [] : loaded.problems, [
      { path: 'service.telemetry.metrics.address', message: 'port 9464 is already used by receivers.report.endpoint' },
    ]);
  });
});
