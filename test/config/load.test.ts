import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, parseConfig, type LoadResult } from '../helpers/config.js';
import type { Config as FaultlineConfig } from '../../src/components.js';
import type { PrometheusExporterConfig } from '../../src/metrics/config.js';
import type { OtlpReceiverConfig } from '../../src/receiver/otlp/config.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../test/fixtures/config/${name}`, import.meta.url));

function expectConfig(result: LoadResult): FaultlineConfig {
  if (!result.ok) assert.fail(`expected a valid config, got:\n${JSON.stringify(result.problems, null, 2)}`);
  return result.config;
}

function expectProblems(result: LoadResult): readonly { path: string; message: string }[] {
  assert.equal(result.ok, false, 'expected problems, got a valid config');
  return result.ok ? [] : result.problems;
}

describe('loading otel-config.yaml', () => {
  it('fills every default around a minimal config', async () => {
    const config = expectConfig(await loadConfigFile(fixture('good-minimal.yaml'), {}));
    assert.deepEqual(Object.fromEntries(config.receivers), {
      otlp: {
        type: 'otlp',
        id: 'otlp',
        grpc: null,
        http: {
          endpoint: '0.0.0.0:4318',
          limits: {
            maxConnections: 4096,
            maxConnectionsPerClient: 256,
            readHeaderTimeoutMs: 10000,
            readTimeoutMs: 60000,
            idleTimeoutMs: 65000,
            maxRequestsPerConnection: 0,
          },
          maxRequestBodyBytes: 4194304,
          cors: { allowedOrigins: [], allowedHeaders: [], maxAgeSeconds: 7200 },
        },
      },
    });
    assert.deepEqual(Object.fromEntries(config.processors), {});
    assert.deepEqual(Object.fromEntries(config.exporters), {
      prometheus: {
        type: 'prometheus',
        id: 'prometheus',
        durationBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        cardinalityLimit: 2000,
        metricsExpirationMs: 900000,
      },
    });
    assert.deepEqual(Object.fromEntries(config.extensions), {});
    assert.deepEqual(config.admin, {
      endpoint: '0.0.0.0:9464',
      limits: {
        maxConnections: 512,
        maxConnectionsPerClient: 64,
        readHeaderTimeoutMs: 10000,
        readTimeoutMs: 60000,
        idleTimeoutMs: 65000,
        maxRequestsPerConnection: 0,
      },
      auth: { bearerTokens: [], users: [], protectMetrics: false, protectHealth: false },
    });
    assert.deepEqual(config.service, {
      extensions: [],
      pipelines: {
        traces: { receivers: ['otlp'], processors: [], exporters: ['prometheus'] },
        logs: null,
        metrics: null,
      },
      telemetry: { logs: { level: 'info' }, traces: { endpoint: '', sampleRatio: 1 } },
      queueSize: 100000,
      queueBytes: 64 * 1024 * 1024,
      decodeWorkers: 2,
      shutdownTimeoutMs: 10000,
      dataDir: './data',
      publicUrl: '',
      traceUrl: '',
      storage: { engine: 'sqlite', path: '' },
    });
  });

  it('fills the defaults of a protocol that is present but empty', () => {
    const config = expectConfig(
      parseConfig(
        'receivers: { otlp: { protocols: { grpc: {} } } }\n' +
          'exporters: { prometheus: }\n' +
          'service: { pipelines: { traces: { receivers: [otlp], exporters: [prometheus] } } }\n',
        {},
      ),
    );
    assert.deepEqual(config.receivers.get('otlp'), {
      type: 'otlp',
      id: 'otlp',
      grpc: {
        endpoint: '0.0.0.0:4317',
        maxRecvMsgSizeBytes: 4194304,
        keepaliveMinTimeMs: 5000,
        keepalivePermitWithoutStream: true,
        limits: { maxConnections: 4096, maxConnectionsPerClient: 256 },
        handshakeTimeoutMs: 10000,
        maxConnectionIdleMs: 300000,
      },
      http: null,
    });
  });

  it('reads every key of a full config into its camelCase twin, in ms and bytes', async () => {
    const config = expectConfig(await loadConfigFile(fixture('good-full.yaml'), {}));
    assert.deepEqual(Object.fromEntries(config.receivers), {
      otlp: {
        type: 'otlp',
        id: 'otlp',
        grpc: {
          endpoint: '127.0.0.1:14317',
          maxRecvMsgSizeBytes: 8388608,
          keepaliveMinTimeMs: 90000,
          keepalivePermitWithoutStream: false,
          limits: { maxConnections: 1000, maxConnectionsPerClient: 10 },
          handshakeTimeoutMs: 2000,
          maxConnectionIdleMs: 30000,
        },
        http: {
          endpoint: '[::1]:14318',
          limits: {
            maxConnections: 2000,
            maxConnectionsPerClient: 20,
            readHeaderTimeoutMs: 5000,
            readTimeoutMs: 30000,
            idleTimeoutMs: 10000,
            maxRequestsPerConnection: 100,
          },
          maxRequestBodyBytes: 524288,
          cors: {
            allowedOrigins: ['https://app.example.com', 'https://*.example.org'],
            allowedHeaders: ['X-Request-Id'],
            maxAgeSeconds: 600,
          },
        },
      },
      'otlp/edge': {
        type: 'otlp',
        id: 'otlp/edge',
        grpc: null,
        http: {
          endpoint: ':24318',
          limits: {
            maxConnections: 4096,
            maxConnectionsPerClient: 256,
            readHeaderTimeoutMs: 10000,
            readTimeoutMs: 60000,
            idleTimeoutMs: 65000,
            maxRequestsPerConnection: 0,
          },
          maxRequestBodyBytes: 4194304,
          cors: { allowedOrigins: [], allowedHeaders: [], maxAgeSeconds: 7200 },
        },
      },
    });
    assert.deepEqual(Object.fromEntries(config.processors), {
      errors: {
        type: 'errors',
        id: 'errors',
        logMinSeverity: 13,
        exceptionLogMinSeverity: 9,
        includeHandledExceptions: false,
        maxStacktraceBytes: 16384,
        maxMessageBytes: 1024,
        spanKinds: ['SERVER', 'CLIENT'],
      },
    });
    assert.deepEqual(Object.fromEntries(config.exporters), {
      prometheus: {
        type: 'prometheus',
        id: 'prometheus',
        durationBuckets: [0.1, 1, 10],
        cardinalityLimit: 500,
        metricsExpirationMs: 3600000,
      },
    });
    assert.deepEqual(Object.fromEntries(config.extensions), { health_check: { type: 'health_check', id: 'health_check' } });
    assert.deepEqual(config.admin, {
      endpoint: 'localhost:19464',
      limits: {
        maxConnections: 100,
        maxConnectionsPerClient: 8,
        readHeaderTimeoutMs: 3000,
        readTimeoutMs: 20000,
        idleTimeoutMs: 15000,
        maxRequestsPerConnection: 50,
      },
      auth: {
        bearerTokens: [
          { token: 'read-token-0123456789abcdef', access: 'read' },
          { token: 'write-token-0123456789abcdef', access: 'write' },
        ],
        users: [{ username: 'alice', passwordHash: 'scrypt$32768$8$1$LJF8DzpqmtxKE7E4KFWB5Q$4zotnl7TUxwvE-jhMCdz6U4RTKGZdsNmoMHlrIhnFqE', access: 'write' }],
        protectMetrics: true,
        protectHealth: true,
      },
    });
    assert.deepEqual(config.service, {
      extensions: ['health_check'],
      pipelines: {
        traces: { receivers: ['otlp', 'otlp/edge'], processors: ['errors'], exporters: ['prometheus'] },
        logs: { receivers: ['otlp'], processors: ['errors'], exporters: ['prometheus'] },
        metrics: { receivers: ['otlp/edge'], processors: [], exporters: [] },
      },
      telemetry: {
        logs: { level: 'debug' },
        traces: { endpoint: 'http://otel-collector:4318/v1/traces', sampleRatio: 0.25 },
      },
      queueSize: 5000,
      queueBytes: 32 * 1024 * 1024,
      decodeWorkers: 1,
      shutdownTimeoutMs: 2500,
      dataDir: '/var/lib/faultline',
      publicUrl: 'https://ops.example.com/faultline',
      traceUrl: '',
      storage: { engine: 'postgres', url: 'postgres://faultline:secret@db.internal:5432/faultline', poolSize: 8, connectTimeoutMs: 5000 },
    });
  });

  it('keeps service.public_url without its trailing slash, and refuses what cannot be the base of a link, at its path', () => {
    const withUrl = (url: string) =>
      parseConfig(`receivers: { otlp: { protocols: { http: {} } } }\nexporters: { prometheus: {} }\nservice:\n  public_url: ${JSON.stringify(url)}\n  pipelines: { traces: { receivers: [otlp], exporters: [prometheus] } }\n`, {});
    assert.equal(expectConfig(withUrl('http://faultline.internal:9464/')).service.publicUrl, 'http://faultline.internal:9464');
    assert.equal(expectConfig(withUrl('HTTPS://Ops.Example.com/faultline//')).service.publicUrl, 'https://ops.example.com/faultline');
    for (const [url, why] of [
      ['ftp://faultline.internal', /the scheme ftp$/],
      ['faultline.internal:9464', /the scheme faultline\.internal$/],
      ['not a url', /which is not a URL$/],
      ['http://faultline.internal/?team=ops', /with a query or fragment that links cannot extend$/],
      ['http://faultline.internal/#groups', /with a query or fragment/],
      ['http://admin:hunter2@faultline.internal', /a URL with credentials \(left out here\)/],
    ] as const) {
      const problems = expectProblems(withUrl(url));
      assert.equal(problems.length, 1, url);
      assert.equal(problems[0].path, 'service.public_url');
      assert.match(problems[0].message, /^expected an http\(s\) URL like http:\/\/faultline\.internal:9464, got /);
      assert.match(problems[0].message, why);
      assert.ok(!problems[0].message.includes('hunter2'), 'a password never shows in a problem');
    }
  });

  it('keeps service.trace_url, a link template for the web UI, and refuses one without {trace_id} or not http(s), at its path', () => {
    const withTemplate = (template: string) =>
      parseConfig(`receivers: { otlp: { protocols: { http: {} } } }\nexporters: { prometheus: {} }\nservice:\n  trace_url: ${JSON.stringify(template)}\n  pipelines: { traces: { receivers: [otlp], exporters: [prometheus] } }\n`, {});
    assert.equal(expectConfig(withTemplate('https://jaeger.internal/trace/{trace_id}')).service.traceUrl, 'https://jaeger.internal/trace/{trace_id}');
    assert.equal(expectConfig(withTemplate('')).service.traceUrl, '');
    for (const [template, why] of [
      ['https://jaeger.internal/trace/', /without \{trace_id\}$/],
      ['javascript:alert("{trace_id}")', /^expected an http\(s\) URL holding \{trace_id\}/],
    ] as const) {
      const problems = expectProblems(withTemplate(template));
      assert.equal(problems.length, 1, template);
      assert.equal(problems[0].path, 'service.trace_url');
      assert.match(problems[0].message, why);
    }
  });

  it('gives the alerts exporter service.public_url for its links', () => {
    const loaded = parseConfig(
      'receivers: { otlp: { protocols: { http: {} } } }\nexporters: { alerts: {} }\n' +
        'service: { public_url: "http://faultline.internal:9464", pipelines: { traces: { receivers: [otlp], exporters: [alerts] } } }\n',
      {},
    );
    const alerts = expectConfig(loaded).exporters.get('alerts');
    assert.equal(alerts?.type === 'alerts' ? alerts.publicUrl : undefined, 'http://faultline.internal:9464');
  });

  it('returns a config frozen all the way down, maps included', async () => {
    const config = expectConfig(await loadConfigFile(fixture('good-full.yaml'), {}));
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.service.pipelines.traces?.receivers));
    assert.ok(Object.isFrozen(config.receivers));
    const receiver = config.receivers.get('otlp') as OtlpReceiverConfig | undefined;
    assert.ok(Object.isFrozen(receiver?.http?.cors.allowedOrigins));
    assert.throws(() => {
      (config.service as { queueSize: number }).queueSize = 1;
    }, TypeError);
    assert.throws(() => {
      ((config.exporters.get('prometheus') as PrometheusExporterConfig | undefined)?.durationBuckets as number[]).push(20);
    }, TypeError);
    assert.equal('set' in config.receivers, false);
    assert.equal('clear' in config.receivers, false);
    assert.deepEqual([...config.receivers.keys()], ['otlp', 'otlp/edge']);
  });

  it('does not share the defaults between configs, so freezing one leaves the next intact', async () => {
    const first = expectConfig(await loadConfigFile(fixture('good-minimal.yaml'), {}));
    const second = expectConfig(await loadConfigFile(fixture('good-minimal.yaml'), {}));
    assert.notEqual(first.exporters.get('prometheus'), second.exporters.get('prometheus'));
    assert.deepEqual(first.exporters.get('prometheus'), second.exporters.get('prometheus'));
  });
});

describe('reporting problems', () => {
  it('names unknown keys and component types, suggesting a close known key', async () => {
    assert.deepEqual(expectProblems(await loadConfigFile(fixture('bad-unknown-key.yaml'), {})), [
      { path: 'receivers.otlp.protocols.http.endpont', message: 'unknown key "endpont"; did you mean "endpoint"?' },
      {
        path: 'receivers.otlp.protocols.http.compression',
        message: 'unknown key "compression"; known: endpoint, max_request_body_size, max_connections, max_connections_per_client, read_header_timeout, read_timeout, idle_timeout, max_requests_per_connection, cors',
      },
      { path: 'receivers.jaeger', message: 'unknown receiver type "jaeger"; known: otlp, report, sentry' },
      { path: 'processors.batch', message: 'unknown processor type "batch"; known: errors, filter, scrub, sample, group, identity' },
      {
        path: 'exporters.prometheus.cardinality_limt',
        message: 'unknown key "cardinality_limt"; did you mean "cardinality_limit"?',
      },
      { path: 'service.telemetry.log', message: 'unknown key "log"; did you mean "logs"?' },
    ]);
  });

  it('suggests the close component type too', () => {
    assert.deepEqual(expectProblems(parseConfig('receivers: { otpl: }\nservice: { pipelines: { metrics: { receivers: [otpl] } } }', {})), [
      { path: 'receivers.otpl', message: 'unknown receiver type "otpl"; did you mean "otlp"?' },
    ]);
  });

  it('rejects endpoints that are not host:port with a port up to 65535', async () => {
    assert.deepEqual(expectProblems(await loadConfigFile(fixture('bad-endpoint.yaml'), {})), [
      { path: 'receivers.otlp.protocols.grpc.endpoint', message: 'expected host:port, got "localhost:70000"' },
      { path: 'receivers.otlp.protocols.http.endpoint', message: 'expected host:port, got "4318"' },
      { path: 'service.telemetry.metrics.address', message: 'expected host:port, got 9464' },
    ]);
  });

  it('refuses a retry.max_interval shorter than initial_interval at its path, instead of raising it', () => {
    const yaml = `exporters:
  alerts:
    channels:
      ops: { type: webhook, url: 'https://hooks.example.com/x', retry: { initial_interval: 10s, max_interval: 2s } }
`;
    const problems = expectProblems(parseConfig(yaml, {})).filter((p) => p.path.startsWith('exporters.'));
    assert.deepEqual(problems, [
      { path: 'exporters.alerts.channels.ops.retry.max_interval', message: 'expected at least initial_interval (10000ms), got 2000ms' },
    ]);
  });

  it('takes one storage engine, and refuses both at once or a URL that is not postgres://, at its path', () => {
    const withStorage = (storage: string) =>
      parseConfig(`receivers: { otlp: { protocols: { http: {} } } }\nexporters: { groups: {} }\nservice:\n  storage: ${storage}\n  pipelines: { traces: { receivers: [otlp], exporters: [groups] } }\n`, {});
    assert.deepEqual(expectConfig(withStorage('{ sqlite: { path: /var/lib/faultline/errors.db } }')).service.storage, {
      engine: 'sqlite',
      path: '/var/lib/faultline/errors.db',
    });
    const both = expectProblems(withStorage('{ sqlite: {}, postgres: { url: "postgres://db/faultline" } }'));
    assert.deepEqual(both, [{ path: 'service.storage', message: 'expected one of sqlite or postgres, got both' }]);
    const notPostgres = expectProblems(withStorage('{ postgres: { url: "mysql://db/faultline" } }'));
    assert.equal(notPostgres[0]?.path, 'service.storage.postgres.url');
  });

  it('refuses connection limits Node or the limits themselves could not keep, at their paths', () => {
    const yaml = `receivers:
  otlp:
    protocols:
      grpc: { max_connections: 10, max_connections_per_client: 11 }
      http: { read_header_timeout: 2m, read_timeout: 1m }
service:
  telemetry:
    metrics: { read_header_timeout: 0s, max_connections: 5, max_connections_per_client: 6 }
`;
    const problems = expectProblems(parseConfig(yaml, {})).filter((p) => !p.path.startsWith('service.pipelines'));
    assert.deepEqual(problems, [
      { path: 'receivers.otlp.protocols.grpc.max_connections_per_client', message: 'expected at most max_connections (10), got 11' },
      {
        path: 'receivers.otlp.protocols.http.read_header_timeout',
        message: 'expected at most read_timeout (60000ms) and not 0 while read_timeout is set, got 120000ms',
      },
      {
        path: 'service.telemetry.metrics.read_header_timeout',
        message: 'expected at most read_timeout (60000ms) and not 0 while read_timeout is set, got 0ms',
      },
      { path: 'service.telemetry.metrics.max_connections_per_client', message: 'expected at most max_connections (5), got 6' },
    ]);
  });

  it('refuses a groups flush_interval under 100ms at its path, instead of raising it', () => {
    const problems = expectProblems(parseConfig('exporters: { groups: { flush_interval: 10ms } }', {})).filter((p) =>
      p.path.startsWith('exporters.'),
    );
    assert.deepEqual(problems, [{ path: 'exporters.groups.flush_interval', message: 'expected at least 100ms, got 10ms' }]);
  });

  it('reports pipelines that name components which are not configured, or lack a receiver or exporter', async () => {
    assert.deepEqual(expectProblems(await loadConfigFile(fixture('bad-pipeline-reference.yaml'), {})), [
      {
        path: 'service.pipelines.traces.receivers[1]',
        message: 'receiver "otlp/edge" is not configured; configured: otlp',
      },
      {
        path: 'service.pipelines.traces.processors[1]',
        message: 'processor "batch" is not configured; configured: errors',
      },
      { path: 'service.pipelines.logs.receivers', message: 'expected at least one receiver' },
      { path: 'service.pipelines.logs.exporters', message: 'expected at least one exporter' },
      { path: 'service.extensions[0]', message: 'extension "health_check" is not configured; configured: none' },
    ]);
  });

  it('refuses self-tracing that would export into its own OTLP/HTTP receiver', async () => {
    assert.deepEqual(expectProblems(await loadConfigFile(fixture('bad-self-trace-loop.yaml'), {})), [
      {
        path: 'service.telemetry.traces.endpoint',
        message:
          "would export Faultline's own traces into its own receiver (port 4318); point it at another collector",
      },
    ]);
  });

  it("catches the loop through the receiver's own host name and the scheme's default port", () => {
    const yaml = (receiver: string, url: string): string =>
      `receivers: { otlp: { protocols: { http: { endpoint: "${receiver}" } } } }\n` +
      'exporters: { prometheus: }\n' +
      'service: { pipelines: { traces: { receivers: [otlp], exporters: [prometheus] } },\n' +
      `  telemetry: { traces: { endpoint: "${url}" } } }\n`;
    assert.equal(parseConfig(yaml('faultline.internal:4318', 'http://faultline.internal:4318/v1/traces'), {}).ok, false);
    assert.equal(parseConfig(yaml('0.0.0.0:80', 'http://[::1]/v1/traces'), {}).ok, false);
    assert.equal(parseConfig(yaml('0.0.0.0:4318', 'http://otel-collector:4318/v1/traces'), {}).ok, true);
    assert.equal(parseConfig(yaml('0.0.0.0:4318', 'http://localhost:14318/v1/traces'), {}).ok, true);
    assert.equal(parseConfig(yaml('127.0.0.1:0', 'http://localhost:4318/v1/traces'), {}).ok, true);
  });

  it('reports two listeners on one port, unless they bind different addresses', async () => {
    assert.deepEqual(expectProblems(await loadConfigFile(fixture('bad-port-clash.yaml'), {})), [
      {
        path: 'receivers.otlp/edge.protocols.http.endpoint',
        message: 'port 4318 is already used by receivers.otlp.protocols.http.endpoint',
      },
      {
        path: 'service.telemetry.metrics.address',
        message: 'port 4317 is already used by receivers.otlp.protocols.grpc.endpoint',
      },
    ]);
  });

  it('lets any number of listeners ask for port 0', () => {
    const result = parseConfig(
      'receivers: { otlp: { protocols: { grpc: { endpoint: "127.0.0.1:0" }, http: { endpoint: "127.0.0.1:0" } } } }\n' +
        'exporters: { prometheus: }\n' +
        'service: { pipelines: { logs: { receivers: [otlp], exporters: [prometheus] } },\n' +
        '  telemetry: { metrics: { address: "127.0.0.1:0" } } }\n',
      {},
    );
    assert.equal(result.ok, true);
  });

  it('names the expected type of every wrong value, all at once', async () => {
    assert.deepEqual(expectProblems(await loadConfigFile(fixture('bad-values.yaml'), {})), [
      { path: 'receivers.otlp.protocols.grpc.max_recv_msg_size_mib', message: 'expected a number > 0, got 0' },
      {
        path: 'receivers.otlp.protocols.grpc.keepalive.enforcement_policy.min_time',
        message: 'expected a duration like 15m, got 5',
      },
      {
        path: 'receivers.otlp.protocols.grpc.keepalive.enforcement_policy.permit_without_stream',
        message: 'expected true or false, got "yes"',
      },
      {
        path: 'receivers.otlp.protocols.http.max_request_body_size',
        message: 'expected a size in bytes > 0 (an integer or like 4MiB), got "4 megabytes"',
      },
      {
        path: 'receivers.otlp.protocols.http.cors.allowed_origins[0]',
        message: 'expected an origin like https://app.example.com (one * wildcard allowed) or *, got "https://*.*.example.com"',
      },
      {
        path: 'receivers.otlp.protocols.http.cors.allowed_origins[1]',
        message: 'expected an origin like https://app.example.com (one * wildcard allowed) or *, got "app.example.com"',
      },
      { path: 'receivers.otlp.protocols.http.cors.max_age', message: 'expected an integer >= 0, got -1' },
      {
        path: 'processors.errors.log_min_severity',
        message: 'expected a severity number from 1 to 24 or one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, got 30',
      },
      {
        path: 'processors.errors.exception_log_min_severity',
        message:
          'expected a severity number from 1 to 24 or one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, got "CRITICAL"',
      },
      {
        path: 'processors.errors.span_kinds[1]',
        message: 'expected one of INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER, UNSPECIFIED, got "INCOMING"',
      },
      {
        path: 'exporters.prometheus.duration_buckets[1]',
        message: 'expected buckets in strictly ascending order; 0.05 follows 0.1',
      },
      { path: 'exporters.prometheus.cardinality_limit', message: 'expected an integer >= 1, got 0' },
      { path: 'exporters.prometheus.metrics_expiration', message: 'expected a duration like 15m, got 15' },
      { path: 'service.pipelines.traces.receivers', message: 'expected a list, got "otlp"' },
      { path: 'service.queue_size', message: 'expected an integer >= 1, got 1.5' },
      { path: 'service.shutdown_timeout', message: 'expected a duration like 15m, got "soon"' },
      {
        path: 'service.telemetry.logs.level',
        message: 'expected one of trace, debug, info, warn, error, fatal, silent, got "verbose"',
      },
      { path: 'service.telemetry.traces.endpoint', message: 'expected an http(s) URL or "", got "collector:4318"' },
      { path: 'service.telemetry.traces.sample_ratio', message: 'expected a number from 0 to 1, got 2' },
    ]);
  });

  it('reads a bare 0 as a zero duration, as the Collector does, and still refuses other bare numbers', () => {
    const yaml = (retention: string) =>
      'receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:0" } } } }\n' +
      `exporters: { groups: { sample_retention: ${retention} } }\n` +
      'service: { pipelines: { logs: { receivers: [otlp], exporters: [groups] } }, telemetry: { metrics: { address: "127.0.0.1:0" } } }\n';
    for (const zero of ['0', '"0"', '0s']) {
      const groups = expectConfig(parseConfig(yaml(zero), {})).exporters.get('groups') as { sampleRetentionMs?: number } | undefined;
      assert.equal(groups?.sampleRetentionMs, 0, zero);
    }
    assert.deepEqual(expectProblems(parseConfig(yaml('30'), {})), [
      { path: 'exporters.groups.sample_retention', message: 'expected a duration like 15m, got 30' },
    ]);
  });

  it('lists problems of every kind together rather than stopping at the first', () => {
    const problems = expectProblems(
      parseConfig(
        'receivers: { otlp: { protocols: { http: { endpoint: "4318", endpont: x } } } }\n' +
          'exporters: { prometheus: { cardinality_limit: 0 } }\n' +
          'service: { pipelines: { traces: { receivers: [otlp, otlp/edge], exporters: [prometheus] } } }\n',
        {},
      ),
    );
    assert.deepEqual(
      problems.map((problem) => problem.path),
      [
        'receivers.otlp.protocols.http.endpont',
        'receivers.otlp.protocols.http.endpoint',
        'exporters.prometheus.cardinality_limit',
        'service.pipelines.traces.receivers[1]',
      ],
    );
  });

  it('asks for at least one protocol and at least one pipeline', async () => {
    assert.deepEqual(expectProblems(await loadConfigFile(fixture('bad-empty-protocols.yaml'), {})), [
      { path: 'receivers.otlp.protocols', message: 'expected at least one of grpc, http' },
      { path: 'service.pipelines', message: 'expected at least one of traces, logs, metrics' },
    ]);
  });

  it('rejects malformed component ids, unknown pipeline signals and the same id listed twice', () => {
    assert.deepEqual(
      expectProblems(
        parseConfig(
          'receivers: { otlp: { protocols: { http: } }, "otlp/": { protocols: { grpc: } } }\n' +
            'exporters: { prometheus: }\n' +
            'service: { pipelines: { traces: { receivers: [otlp, otlp], exporters: [prometheus] }, profiles: {} } }\n',
          {},
        ),
      ),
      [
        { path: 'receivers.otlp/', message: 'invalid receiver id "otlp/"; expected type or type/name' },
        { path: 'service.pipelines.profiles', message: 'unknown key "profiles"; known: traces, logs, metrics' },
        { path: 'service.pipelines.traces.receivers[1]', message: '"otlp" is listed twice' },
      ],
    );
  });

  it('reports a YAML syntax error with its line and column', async () => {
    assert.deepEqual(expectProblems(await loadConfigFile(fixture('bad-syntax.yaml'), {})), [
      {
        path: '',
        message: 'line 4, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ]);
  });

  it('reports a key written twice as a syntax error', () => {
    assert.deepEqual(expectProblems(parseConfig('service:\n  queue_size: 1\n  queue_size: 2\n', {})), [
      { path: '', message: 'line 3, column 3: Map keys must be unique' },
    ]);
  });

  it('expects a map at the top level and treats an empty file as having no pipelines', () => {
    assert.deepEqual(expectProblems(parseConfig('- receivers\n', {})), [
      { path: '', message: 'expected a map, got a list' },
      { path: 'service.pipelines', message: 'expected at least one of traces, logs, metrics' },
    ]);
    assert.deepEqual(expectProblems(parseConfig('', {})), [
      { path: 'service.pipelines', message: 'expected at least one of traces, logs, metrics' },
    ]);
  });

  it('points the old span_kinds key of the prometheus exporter to the errors processor, which decides it for every exporter', () => {
    const yaml = 'receivers: { otlp: { protocols: { http: {} } } }\nexporters: { prometheus: { span_kinds: [SERVER] } }\nservice: { pipelines: { traces: { receivers: [otlp], exporters: [prometheus] } } }\n';
    assert.deepEqual(expectProblems(parseConfig(yaml, {})), [
      {
        path: 'exporters.prometheus.span_kinds',
        message: 'moved to processors.errors.span_kinds: which spans are timed is decided before any exporter',
      },
    ]);
  });

  it('reports a file that cannot be read instead of throwing', async () => {
    const problems = expectProblems(await loadConfigFile(fixture('no-such-file.yaml'), {}));
    assert.equal(problems.length, 1);
    assert.equal(problems[0].path, '');
    assert.match(problems[0].message, /^cannot read config file: ENOENT/);
  });
});
