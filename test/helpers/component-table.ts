// Builds every component type of the table (src/components.ts) from its own schema, for tests that
// must cover the whole table: the lifecycle test, the metrics docs test. Each type gets an empty
// YAML body except where that is not valid, listens beyond loopback, or leaves out parts that
// register metrics (BODIES); everything listens on 127.0.0.1 and writes under a temporary dir.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Registry } from 'prom-client';
import { createHttpMounts } from '../../src/receiver/http-mounts.js';
import type { Component, ComponentTable, ExporterContext, FactoryBase, ReceiverContext } from '../../src/component.js';
import { COMPONENTS } from '../../src/components.js';
import { INVALID, type ConfigProblem } from '../../src/config/schema.js';
import type { ComponentConfig } from '../../src/config/types.js';
import { createExtractOptions } from '../../src/extract/options.js';
import { createQueueStage } from '../../src/pipeline/queue-stage.js';
import { ERRORS_PROCESSOR_DEFAULTS } from '../../src/processor/errors/config.js';
import { buildContext } from '../processor/build-context.js';

/** YAML bodies by type where `{}` will not do. */
export const BODIES: Readonly<Record<string, unknown>> = {
  otlp: { protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0' } } },
  // Brokers are required; nothing listens on port 9 of loopback, so the exporter runs degraded.
  kafka: { brokers: ['127.0.0.1:9'] },
};

export function configOf<C extends ComponentConfig>(factory: FactoryBase<C>, body: unknown = BODIES[factory.type] ?? {}): C {
  const problems: ConfigProblem[] = [];
  const id = `${factory.type}/test`;
  const build = factory.schema.decode(body, id, problems);
  assert.deepEqual(problems, [], `${factory.type} accepts its test body`);
  assert.notEqual(build, INVALID);
  return (build as (id: string) => C)(id);
}

function exporterContext(registry?: Registry): ExporterContext {
  const context = buildContext();
  return { ...context, registry: registry ?? context.registry, dataDir: mkdtempSync(path.join(tmpdir(), 'faultline-table-')) };
}

function receiverContext(registry?: Registry): ReceiverContext {
  const context = exporterContext(registry);
  const route = {
    options: createExtractOptions(ERRORS_PROCESSOR_DEFAULTS),
    consumer: { consume: () => {} },
  };
  return {
    ...context,
    routes: { traces: route, logs: route, metrics: route },
    queue: createQueueStage({ capacity: 100, onFailure: () => {} }),
    httpMounts: createHttpMounts(),
    shutdownTimeoutMs: 1000,
  };
}

/**
 * One instance of a type: every component it runs (none for a plain processor) and, for a
 * receiver, the YAML body that listens exactly where this instance listens once started.
 */
export interface Built {
  readonly components: readonly Component[];
  readonly sameAddresses?: () => unknown;
}

export interface TableEntry {
  readonly kind: 'receiver' | 'processor' | 'exporter';
  readonly type: string;
  /** Builds an instance, in `registry` when given (else a fresh one), from `body` when given. */
  build(options?: { body?: unknown; registry?: Registry }): Built;
}

/** Every receiver, exporter and stage-building processor type of the table. */
export function tableEntries(table: ComponentTable = COMPONENTS as unknown as ComponentTable): TableEntry[] {
  return [
    ...table.receivers.map((factory): TableEntry => ({
      kind: 'receiver',
      type: factory.type,
      build: ({ body, registry } = {}) => {
        const parts = factory.create(configOf(factory, body), receiverContext(registry));
        const endpointOf = (suffix: string) => {
          const address = parts.find((part) => part.suffix === suffix)?.address?.();
          return address === undefined ? undefined : { endpoint: `${address.host}:${address.port}` };
        };
        const sameAddresses = () => (factory.type === 'otlp' ? { protocols: { grpc: endpointOf('grpc'), http: endpointOf('http') } } : undefined);
        return { components: parts.map((part) => part.component), sameAddresses };
      },
    })),
    ...table.processors
      .filter((factory) => factory.create !== undefined)
      .map((factory): TableEntry => ({
        kind: 'processor',
        type: factory.type,
        build: ({ body, registry } = {}) => {
          const context = buildContext();
          const built = factory.create!(configOf(factory, body), { ...context, registry: registry ?? context.registry });
          return { components: built.component === undefined ? [] : [built.component] };
        },
      })),
    ...table.exporters.map((factory): TableEntry => ({
      kind: 'exporter',
      type: factory.type,
      build: ({ body, registry } = {}) => ({ components: [factory.create(configOf(factory, body), exporterContext(registry)).component] }),
    })),
  ];
}
