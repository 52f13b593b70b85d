import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../helpers/config.js';
import type { OtlpReceiverConfig } from '../../src/receiver/otlp/config.js';

const bundled = fileURLToPath(new URL('../../../otel-config.yaml', import.meta.url));

describe('the bundled otel-config.yaml', () => {
  it('validates with no environment and listens on 4317, 4318 and 9464', async () => {
    const result = await loadConfigFile(bundled, {});
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
    const { config } = result;
    assert.equal((config.receivers.get('otlp') as OtlpReceiverConfig | undefined)?.grpc?.endpoint, '0.0.0.0:4317');
    assert.equal((config.receivers.get('otlp') as OtlpReceiverConfig | undefined)?.http?.endpoint, '0.0.0.0:4318');
    assert.equal(config.admin.endpoint, '0.0.0.0:9464');
    assert.deepEqual(Object.keys(config.service.pipelines), ['traces', 'logs', 'metrics']);
    assert.ok(Object.values(config.service.pipelines).every((pipeline) => pipeline !== null));
    assert.deepEqual(config.service.extensions, ['health_check']);
    assert.equal(config.service.telemetry.traces.endpoint, '');
    assert.equal(config.service.telemetry.logs.level, 'info');
  });

  it('moves every listener and the log level through environment variables', async () => {
    const result = await loadConfigFile(bundled, {
      FAULTLINE_GRPC_ENDPOINT: '127.0.0.1:0',
      FAULTLINE_HTTP_ENDPOINT: '127.0.0.1:0',
      FAULTLINE_ADMIN_ENDPOINT: '127.0.0.1:0',
      FAULTLINE_LOG_LEVEL: 'silent',
      FAULTLINE_SELF_TRACES_ENDPOINT: 'http://otel-collector:4318/v1/traces',
    });
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
    assert.equal((result.config.receivers.get('otlp') as OtlpReceiverConfig | undefined)?.grpc?.endpoint, '127.0.0.1:0');
    assert.equal((result.config.receivers.get('otlp') as OtlpReceiverConfig | undefined)?.http?.endpoint, '127.0.0.1:0');
    assert.equal(result.config.admin.endpoint, '127.0.0.1:0');
    assert.equal(result.config.service.telemetry.logs.level, 'silent');
    assert.equal(result.config.service.telemetry.traces.endpoint, 'http://otel-collector:4318/v1/traces');
  });
});
