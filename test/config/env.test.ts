import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { substituteEnv } from '../../src/config/env.js';
import { loadConfigFile, parseConfig } from '../helpers/config.js';
import type { PrometheusExporterConfig } from '../../src/metrics/config.js';
import type { ErrorsProcessorConfig } from '../../src/processor/errors/config.js';
import type { OtlpReceiverConfig } from '../../src/receiver/otlp/config.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../test/fixtures/config/${name}`, import.meta.url));

const substituted = (value: unknown, env: Record<string, string | undefined>): unknown =>
  substituteEnv(value, env).tree;

describe('${env:...} substitution', () => {
  it('re-reads a value that is exactly one reference as a number or boolean', () => {
    assert.deepEqual(substituted({ port: '${env:PORT}', on: '${env:ON}', ratio: '${env:RATIO}' }, {
      PORT: '4318',
      ON: 'true',
      RATIO: '0.5',
    }), { port: 4318, on: true, ratio: 0.5 });
  });

  it('keeps text that only looks like YAML as text', () => {
    assert.deepEqual(
      substituted(['${env:A}', '${env:B}', '${env:C}', '${env:D}'], { A: '0.0.0.0:4318', B: '# not a comment', C: '[x', D: '' }),
      ['0.0.0.0:4318', '# not a comment', '[x', ''],
    );
  });

  it('interpolates references inside longer text as strings', () => {
    assert.equal(substituted('${env:HOST}:${env:PORT}', { HOST: 'collector', PORT: '4318' }), 'collector:4318');
    assert.equal(substituted('v${env:N}', { N: '1' }), 'v1');
  });

  it('uses the default when the variable is unset or empty, and re-reads it the same way', () => {
    assert.deepEqual(substituted(['${env:P:-4318}', '${env:E:-info}', '${env:S:-}', 'x${env:P:-1}'], { E: '' }), [
      4318,
      'info',
      '',
      'x1',
    ]);
    assert.equal(substituted('${env:P:-4318}', { P: '9' }), 9);
  });

  it('reads $$ as a literal $ and does not expand what follows it', () => {
    assert.equal(substituted('pa$$word', {}), 'pa$word');
    assert.equal(substituted('$${env:HOME}', { HOME: '/root' }), '${env:HOME}');
    assert.equal(substituted('costs $5', {}), 'costs $5');
  });

  it('substitutes inside lists and nested maps but never in keys', () => {
    assert.deepEqual(substituted({ '${env:K}': { list: ['${env:V}'] } }, { K: 'key', V: 'value' }), {
      '${env:K}': { list: ['value'] },
    });
  });

  it('does not expand references inside a variable\'s own value', () => {
    assert.equal(substituted('${env:A}', { A: '${env:B}', B: 'b' }), '${env:B}');
  });

  it('reports an unset variable without a default at its path', () => {
    assert.deepEqual(substituteEnv({ a: ['${env:UNSET}'], b: 'x${env:ALSO_UNSET}' }, {}).problems, [
      { path: 'a[0]', message: 'environment variable UNSET is not set' },
      { path: 'b', message: 'environment variable ALSO_UNSET is not set' },
    ]);
  });

  it('rejects references other than ${env:...}, and unterminated ones', () => {
    assert.deepEqual(substituteEnv({ a: '${HOME}', b: '${file:/etc/x}', c: '${env:HOME' }, {}).problems, [
      { path: 'a', message: 'unsupported reference "${HOME}"; expected ${env:NAME} or ${env:NAME:-default} ($$ is a literal $)' },
      {
        path: 'b',
        message: 'unsupported reference "${file:/etc/x}"; expected ${env:NAME} or ${env:NAME:-default} ($$ is a literal $)',
      },
      { path: 'c', message: 'unterminated reference "${env:HOME"' },
    ]);
  });
});

describe('environment variables in a config file', () => {
  it('fills typed values, interpolated endpoints and defaults from the environment', async () => {
    const result = await loadConfigFile(fixture('good-env.yaml'), { HTTP_PORT: '14318', LIMIT: '50', LEVEL: 'warn' });
    assert.ok(result.ok);
    const { config } = result;
    assert.equal((config.receivers.get('otlp') as OtlpReceiverConfig | undefined)?.http?.endpoint, '127.0.0.1:14318');
    assert.equal((config.exporters.get('prometheus') as PrometheusExporterConfig | undefined)?.cardinalityLimit, 50);
    assert.equal((config.exporters.get('prometheus') as PrometheusExporterConfig | undefined)?.metricsExpirationMs, 1200000);
    assert.equal((config.processors.get('errors') as ErrorsProcessorConfig | undefined)?.includeHandledExceptions, false);
    assert.equal(config.service.telemetry.traces.endpoint, '');
    assert.equal(config.service.telemetry.logs.level, 'warn');
  });

  it('reports each unset variable once, at the path of the key that uses it', async () => {
    const result = await loadConfigFile(fixture('good-env.yaml'), {});
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.problems, [
      { path: 'exporters.prometheus.cardinality_limit', message: 'environment variable LIMIT is not set' },
      { path: 'service.telemetry.logs.level', message: 'environment variable LEVEL is not set' },
    ]);
  });

  it('validates the substituted value, not the reference', () => {
    const result = parseConfig(
      'receivers: { otlp: { protocols: { http: { endpoint: "${env:HTTP}" } } } }\n' +
        'service: { pipelines: { metrics: { receivers: [otlp] } } }\n',
      { HTTP: '4318' },
    );
    assert.deepEqual(result.ok ? [] : result.problems, [
      { path: 'receivers.otlp.protocols.http.endpoint', message: 'expected host:port, got 4318' },
    ]);
  });

  it('never lets a variable change the structure of the document', () => {
    const result = parseConfig(
      'receivers: { otlp: { protocols: { http: { endpoint: "${env:HTTP}" } } } }\n' +
        'service: { pipelines: { metrics: { receivers: [otlp] } } }\n',
      { HTTP: '0.0.0.0:4318\n        cors: { max_age: 1 }' },
    );
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.problems.map((problem) => problem.path), [
      'receivers.otlp.protocols.http.endpoint',
    ]);
  });
});
