// The schema of otel-config.yaml, one declarative block per section, and the walk that turns the
// parsed (env-substituted) YAML tree into a FaultlineConfig. Every problem is collected with its
// YAML path; the config is returned only when there are none. Rules spanning sections (pipeline
// references, port clashes, the self-tracing loop) live in cross-checks.ts.

import { EXPORTER_TYPES, EXTENSION_TYPES, PROCESSOR_TYPES, RECEIVER_TYPES } from './component-types.js';
import { crossCheck } from './cross-checks.js';
import { ADMIN_DEFAULTS, SELF_TRACES_DEFAULTS, SERVICE_DEFAULTS } from './defaults.js';
import { deepFreeze } from './freeze.js';
import { components, INVALID, list, object, optional, withDefault, type ConfigProblem, type Type } from './schema.js';
import type { ExporterConfig, FaultlineConfig, PipelineConfig } from './types.js';
import { componentId, duration, endpoint, integer, number, oneOf, publicUrl, text, tracesUrl } from './value-types.js';

const ids = withDefault(
  list(componentId, (items, path, problems) => {
    items.forEach((id, index) => {
      if (items.indexOf(id) !== index) problems.push({ path: `${path}[${index}]`, message: `"${id}" is listed twice` });
    });
  }),
  [],
);

const pipeline: Type<PipelineConfig> = object({ receivers: ids, processors: ids, exporters: ids });

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const service = object({
  extensions: ids,
  pipelines: object({ traces: optional(pipeline), logs: optional(pipeline), metrics: optional(pipeline) }),
  queue_size: withDefault(integer(1), SERVICE_DEFAULTS.queueSize),
  shutdown_timeout: withDefault(duration, SERVICE_DEFAULTS.shutdownTimeoutMs),
  data_dir: withDefault(text, SERVICE_DEFAULTS.dataDir),
  public_url: withDefault(publicUrl, SERVICE_DEFAULTS.publicUrl),
  telemetry: object({
    logs: object({ level: withDefault(oneOf(LOG_LEVELS), SERVICE_DEFAULTS.logLevel) }),
    metrics: object({ address: withDefault(endpoint, ADMIN_DEFAULTS.endpoint) }),
    traces: object({
      endpoint: withDefault(tracesUrl, SELF_TRACES_DEFAULTS.endpoint),
      sample_ratio: withDefault(number({ min: 0, max: 1 }), SELF_TRACES_DEFAULTS.sampleRatio),
    }),
  }),
});

const root = object({
  receivers: components('receiver', RECEIVER_TYPES),
  processors: components('processor', PROCESSOR_TYPES),
  exporters: components('exporter', EXPORTER_TYPES),
  extensions: components('extension', EXTENSION_TYPES),
  service,
});

/** Every key path the schema knows, components by type (`receivers.otlp.protocols.http.endpoint`). */
export function knownKeyPaths(): readonly string[] {
  return root.keyPaths('');
}

export type ValidationResult =
  | { readonly ok: true; readonly config: FaultlineConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Validates a parsed YAML tree (null for an empty file), fills defaults and deep-freezes the result. */
export function validateConfig(tree: unknown): ValidationResult {
  const problems: ConfigProblem[] = [];
  const decoded = root.decode(tree ?? {}, '', problems);
  crossCheck(tree, problems);
  if (decoded === INVALID || problems.length > 0) return { ok: false, problems };
  const { telemetry, pipelines } = decoded.service;
  const config: FaultlineConfig = {
    receivers: decoded.receivers,
    processors: decoded.processors,
    exporters: withPublicUrl(decoded.exporters, decoded.service.public_url),
    extensions: decoded.extensions,
    admin: { endpoint: telemetry.metrics.address },
    service: {
      extensions: decoded.service.extensions,
      pipelines,
      telemetry: {
        logs: { level: telemetry.logs.level },
        traces: { endpoint: telemetry.traces.endpoint, sampleRatio: telemetry.traces.sample_ratio },
      },
      queueSize: decoded.service.queue_size,
      shutdownTimeoutMs: decoded.service.shutdown_timeout,
      dataDir: decoded.service.data_dir,
      publicUrl: decoded.service.public_url,
    },
  };
  return { ok: true, config: deepFreeze(config) };
}

/** Components read only their own part: the alerts exporter gets service.public_url for its links. */
function withPublicUrl(exporters: ReadonlyMap<string, ExporterConfig>, url: string): ReadonlyMap<string, ExporterConfig> {
  return new Map([...exporters].map(([id, exporter]) => [id, exporter.type === 'alerts' ? { ...exporter, publicUrl: url } : exporter]));
}
