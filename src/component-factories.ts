// Which code builds each component type named in otel-config.yaml. A new processor or exporter
// type registers its factory here (and its schema in config/component-types.ts); service.ts
// stays generic.

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AdminRoutes } from './admin/admin-server.js';
import { createAlertsExporter } from './alert/alerts-exporter.js';
import type { Component } from './component.js';
import type { ExporterConfig, ProcessorConfig } from './config/types.js';
import type { GroupSignals } from './group/signals.js';
import type { Clock } from './internal/clock.js';
import { createGroupsExporter } from './group/groups-exporter.js';
import { IMPLICIT_GROUP_PROCESSOR } from './group/config.js';
import { createGroupProcessor } from './group/group-processor.js';
import { createPrometheusExporter } from './metrics/prometheus-exporter.js';
import type { SelfMetrics } from './metrics/self-metrics.js';
import type { Consumer } from './pipeline/consumer.js';
import type { Processor, Stage } from './pipeline/processor.js';
import { createFilterProcessor } from './processor/filter/filter-processor.js';
import { createSampleProcessor } from './processor/sample/sample-processor.js';
import { IMPLICIT_IDENTITY } from './processor/identity/config.js';
import { createIdentityProcessor } from './processor/identity/identity-processor.js';
import { IMPLICIT_SCRUB } from './processor/scrub/config.js';
import { createScrubProcessor } from './processor/scrub/scrub-processor.js';

/** What every factory may use: one of each per Faultline instance. */
export interface BuildContext {
  readonly registry: Registry;
  readonly selfMetrics: SelfMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Register API routes on the admin endpoint (before start). */
  readonly admin: AdminRoutes;
  /** service.data_dir: where components persist state. */
  readonly dataDir: string;
  readonly groupSignals: GroupSignals;
}

export interface BuiltExporter {
  readonly consumer: Consumer;
  /** Started before the receivers, shut down after the pipeline has drained into it. */
  readonly component: Component;
}

export interface BuiltProcessor {
  readonly processor: Processor;
  readonly component?: Component;
}

/** What the processor table builds: a plain processor, or a holding stage (see pipeline/processor.ts). */
export type BuiltStage = Stage & { readonly component?: Component };

type ConfigOf<Union, T> = Extract<Union, { readonly type: T }>;

/** The `errors` processor is not a stage: it configures extraction (see extract/options.ts). */
type StageType = Exclude<ProcessorConfig['type'], 'errors'>;

export const PROCESSOR_FACTORIES: {
  readonly [T in StageType]: (config: ConfigOf<ProcessorConfig, T>, context: BuildContext) => BuiltStage;
} = {
  filter: createFilterProcessor,
  scrub: createScrubProcessor,
  sample: createSampleProcessor,
  group: createGroupProcessor,
  identity: createIdentityProcessor,
};

export const EXPORTER_FACTORIES: {
  readonly [T in ExporterConfig['type']]: (config: ConfigOf<ExporterConfig, T>, context: BuildContext) => BuiltExporter;
} = {
  prometheus: createPrometheusExporter,
  groups: createGroupsExporter,
  alerts: createAlertsExporter,
};

/**
 * Stages every traces and logs pipeline runs, in this order and before its other stages: the
 * pipeline's own processor of that type when it lists one, else this default (service.ts
 * stagesOf). Scrubbing is on by default and always first, so nothing after it sees a secret;
 * identity follows grouping (it compares parsed frames) and precedes filter and sample, so they
 * see one event per error.
 */
export const IMPLICIT_PROCESSORS: readonly ProcessorConfig[] = [IMPLICIT_SCRUB, IMPLICIT_GROUP_PROCESSOR, IMPLICIT_IDENTITY];
