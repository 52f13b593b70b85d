// Bad kafka settings are refused before anything starts, each problem with its YAML path, and a
// secret's problem never repeats the secret: through the config loader and through `faultline run`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { MAIN, REPO } from '../helpers/faultline-process.js';
import { parseConfig } from '../helpers/config.js';

const BASE = `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [kafka] }
  telemetry:
    metrics: { address: 127.0.0.1:0 }
`;

function problemsOf(kafka: string, env: Record<string, string> = {}): string[] {
  const loaded = parseConfig(`exporters:\n  kafka:\n${kafka}\n${BASE}`, env);
  assert.equal(loaded.ok, false, 'refused');
  return loaded.ok ? [] : loaded.problems.map((problem) => `${problem.path}: ${problem.message}`);
}

describe('kafka settings refused at load', () => {
  it('refuses a kafka exporter without brokers, at exporters.kafka.brokers', () => {
    assert.deepEqual(problemsOf('    topic: faultline.errors'), ['exporters.kafka.brokers: expected at least one broker (host:port)']);
    assert.match(problemsOf('    brokers: [kafka]').join('\n'), /^exporters\.kafka\.brokers\[0\]: expected host:port/m);
  });

  it('refuses SASL settings that cannot authenticate, at their paths, without repeating the secret', () => {
    const problems = problemsOf('    brokers: [127.0.0.1:9092]\n    sasl: { mechanism: gssapi, username: "${env:KAFKA_USER}", password: "${env:KAFKA_PASSWORD}" }', {
      KAFKA_USER: 'svc-user',
      KAFKA_PASSWORD: 'pw-31b6e0c9',
    });
    assert.deepEqual(problems, ['exporters.kafka.sasl.mechanism: expected one of none, plain, scram-sha-256, scram-sha-512, got "gssapi"']);
    assert.deepEqual(problemsOf('    brokers: [127.0.0.1:9092]\n    sasl: { mechanism: plain, username: svc-user }'), [
      'exporters.kafka.sasl.password: expected a non-empty string: sasl.mechanism plain needs it',
    ]);
    assert.deepEqual(problemsOf('    brokers: [127.0.0.1:9092]\n    sasl: { password: 12345 }'), ['exporters.kafka.sasl.password: expected a string, got 12345']);
  });

  it('refuses an idempotent producer without acks all, a client certificate without its key, and a compression kafkajs lacks', () => {
    assert.deepEqual(problemsOf('    brokers: [127.0.0.1:9092]\n    producer: { acks: leader }'), [
      'exporters.kafka.producer.idempotent: an idempotent producer needs acks: all (got leader); set idempotent: false or acks: all',
    ]);
    assert.deepEqual(problemsOf('    brokers: [127.0.0.1:9092]\n    tls: { enabled: true, cert_file: /etc/client.pem }'), [
      'exporters.kafka.tls.key_file: expected both cert_file and key_file (a client certificate and its key), or neither',
    ]);
    assert.deepEqual(problemsOf('    brokers: [127.0.0.1:9092]\n    producer: { compression: zstd }'), [
      'exporters.kafka.producer.compression: expected one of none, gzip, got "zstd"',
    ]);
  });

  it('makes `faultline run` exit 2 before starting, naming every bad kafka key of the exporter and the channel', () => {
    const run = spawnSync(process.execPath, [MAIN, 'run', '--config', path.join(REPO, 'test/fixtures/config/bad-kafka-settings.yaml')], {
      encoding: 'utf8',
      env: { ...process.env, KAFKA_PASSWORD: 'pw-77aa01' },
      timeout: 30_000,
    });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /exporters\.kafka\.brokers: expected at least one broker/);
    assert.match(run.stderr, /exporters\.kafka\.sasl\.password: expected a non-empty string/);
    assert.match(run.stderr, /exporters\.alerts\.channels\.stream\.sasl\.mechanism: expected one of/);
    assert.match(run.stderr, /exporters\.alerts\.channels\.stream\.producer\.idempotent: an idempotent producer needs acks: all/);
    assert.ok(!run.stderr.includes('pw-77aa01'));
    assert.equal(run.stdout, '');
  });

  it('makes `faultline run` exit 1 at start, naming the key, when a TLS file cannot be read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'faultline-kafka-tls-'));
    const config = path.join(dir, 'otel-config.yaml');
    writeFileSync(config, `exporters:\n  kafka:\n    brokers: [127.0.0.1:9092]\n    tls: { enabled: true, ca_file: ${dir}/missing-ca.pem }\n${BASE}  data_dir: ${dir}\n`);
    const run = spawnSync(process.execPath, [MAIN, 'validate', '--config', config], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, `valid as written: ${run.stderr}`);
    const started = spawnSync(process.execPath, [MAIN, 'run', '--config', config], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(started.status, 1);
    assert.ok(started.stderr.includes(`exporters.kafka.tls.ca_file: cannot read ${dir}/missing-ca.pem: ENOENT`), started.stderr);
  });
});
