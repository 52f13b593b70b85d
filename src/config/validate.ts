// The schema of otel-config.yaml, one declarative block per section, and the walk that turns the
// parsed (env-substituted) YAML tree into a FaultlineConfig. Every problem is collected with its
// YAML path; the config is returned only when there are none. Rules spanning sections (pipeline
// references, port clashes, the self-tracing loop) live in cross-checks.ts.

import type { ComponentTable, FactoryBase } from '../component.js';
import { adminAuthType } from './admin-auth.js';
import { crossCheck } from './cross-checks.js';
import { checkHttpLimits, httpLimitFields, httpLimitsOf } from './listener-limits.js';
import { ADMIN_DEFAULTS, SELF_TRACES_DEFAULTS, SERVICE_DEFAULTS } from './defaults.js';
import { deepFreeze } from './freeze.js';
import { components, INVALID, list, object, optional, withDefault, type ComponentType, type ConfigProblem, type StatedDefault, type Type } from './schema.js';
import type { ComponentConfig, FaultlineConfig, PipelineConfig, ServiceConfig } from './types.js';
import { STORAGE_DEFAULT, storageType } from './storage.js';
import { componentId, duration, endpoint, integer, number, oneOf, publicUrl, size, text, traceUrlTemplate, tracesUrl } from './value-types.js';

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
  queue_bytes: withDefault(size, SERVICE_DEFAULTS.queueBytes),
  decode_workers: withDefault(integer(0), SERVICE_DEFAULTS.decodeWorkers),
  shutdown_timeout: withDefault(duration, SERVICE_DEFAULTS.shutdownTimeoutMs),
  data_dir: withDefault(text, SERVICE_DEFAULTS.dataDir),
  public_url: withDefault(publicUrl, SERVICE_DEFAULTS.publicUrl),
  trace_url: withDefault(traceUrlTemplate, SERVICE_DEFAULTS.traceUrl),
  storage: withDefault(storageType, STORAGE_DEFAULT),
  telemetry: object({
    logs: object({ level: withDefault(oneOf(LOG_LEVELS), SERVICE_DEFAULTS.logLevel) }),
    metrics: object(
      { address: withDefault(endpoint, ADMIN_DEFAULTS.endpoint), ...httpLimitFields(ADMIN_DEFAULTS.limits), auth: adminAuthType },
      checkHttpLimits,
    ),
    traces: object({
      endpoint: withDefault(tracesUrl, SELF_TRACES_DEFAULTS.endpoint),
      sample_ratio: withDefault(number({ min: 0, max: 1 }), SELF_TRACES_DEFAULTS.sampleRatio),
    }),
  }),
});

function rootOf(table: ComponentTable) {
  return object({
    receivers: components('receiver', schemasOf(table.receivers)),
    processors: components('processor', schemasOf(table.processors)),
    exporters: components('exporter', schemasOf(table.exporters)),
    extensions: components('extension', schemasOf(table.extensions)),
    service,
  });
}

function schemasOf<C extends ComponentConfig>(factories: readonly FactoryBase<C>[]): Record<string, ComponentType<C>> {
  return Object.fromEntries(factories.map((factory) => [factory.type, factory.schema]));
}

/** Every default the table's schema states, with its key path and type (for the docs test). */
export function statedDefaults(table: ComponentTable): readonly StatedDefault[] {
  return rootOf(table).defaults?.('') ?? [];
}

/** Every key path the table's schema knows, components by type (`receivers.otlp.protocols.http.endpoint`). */
export function knownKeyPaths(table: ComponentTable): readonly string[] {
  return rootOf(table).keyPaths('');
}

export type ValidationResult<C extends FaultlineConfig = FaultlineConfig> =
  | { readonly ok: true; readonly config: C }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Validates a parsed YAML tree (null for an empty file) against the component types of `table`,
 * fills defaults and deep-freezes the result.
 */
export function validateConfig<R extends ComponentConfig, P extends ComponentConfig, E extends ComponentConfig, X extends ComponentConfig>(
  tree: unknown,
  table: ComponentTable<R, P, E, X>,
): ValidationResult<FaultlineConfig<R, P, E, X>> {
  const problems: ConfigProblem[] = [];
  const decoded = rootOf(table as unknown as ComponentTable).decode(tree ?? {}, '', problems);
  crossCheck(tree, problems, table as unknown as ComponentTable);
  if (decoded === INVALID || problems.length > 0) return { ok: false, problems };
  const { telemetry, pipelines } = decoded.service;
  const service: ServiceConfig = {
    extensions: decoded.service.extensions,
    pipelines,
    telemetry: {
      logs: { level: telemetry.logs.level },
      traces: { endpoint: telemetry.traces.endpoint, sampleRatio: telemetry.traces.sample_ratio },
    },
    queueSize: decoded.service.queue_size,
    queueBytes: decoded.service.queue_bytes,
    decodeWorkers: decoded.service.decode_workers,
    shutdownTimeoutMs: decoded.service.shutdown_timeout,
    dataDir: decoded.service.data_dir,
    publicUrl: decoded.service.public_url,
    traceUrl: decoded.service.trace_url,
    storage: decoded.service.storage,
  };
  const config: FaultlineConfig<R, P, E, X> = {
    receivers: withService(decoded.receivers as ReadonlyMap<string, R>, table.receivers, service),
    processors: withService(decoded.processors as ReadonlyMap<string, P>, table.processors, service),
    exporters: withService(decoded.exporters as ReadonlyMap<string, E>, table.exporters, service),
    extensions: withService(decoded.extensions as ReadonlyMap<string, X>, table.extensions, service),
    admin: { endpoint: telemetry.metrics.address, limits: httpLimitsOf(telemetry.metrics), auth: telemetry.metrics.auth },
    service,
  };
  const linked = linkAll(config, table, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: deepFreeze(linked) };
}

/** Runs each factory's link() (see component.ts) over the decoded config, collecting problems. */
function linkAll<R extends ComponentConfig, P extends ComponentConfig, E extends ComponentConfig, X extends ComponentConfig>(
  config: FaultlineConfig<R, P, E, X>,
  table: ComponentTable<R, P, E, X>,
  problems: ConfigProblem[],
): FaultlineConfig<R, P, E, X> {
  const linkKind = <C extends ComponentConfig>(kind: string, decoded: ReadonlyMap<string, C>, factories: readonly FactoryBase<C>[]) =>
    new Map(
      [...decoded].map(([id, component]): [string, C] => {
        const factory = factories.find((candidate) => candidate.type === component.type);
        const linked = factory?.link?.(component, config, `${kind}.${id}`) ?? component;
        if (Array.isArray(linked)) {
          problems.push(...linked);
          return [id, component];
        }
        return [id, linked as C];
      }),
    );
  return {
    ...config,
    receivers: linkKind('receivers', config.receivers, table.receivers),
    processors: linkKind('processors', config.processors, table.processors),
    exporters: linkKind('exporters', config.exporters, table.exporters),
    extensions: linkKind('extensions', config.extensions, table.extensions),
  };
}

/** Components read only their own part: a factory may copy a service-level setting into it (factory.withService). */
function withService<C extends ComponentConfig>(
  decoded: ReadonlyMap<string, C>,
  factories: readonly FactoryBase<C>[],
  service: ServiceConfig,
): ReadonlyMap<string, C> {
  return new Map(
    [...decoded].map(([id, config]) => {
      const factory = factories.find((candidate) => candidate.type === config.type);
      return [id, factory?.withService === undefined ? config : factory.withService(config, service)];
    }),
  );
}
