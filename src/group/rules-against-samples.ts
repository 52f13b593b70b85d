// `faultline validate`'s look at the `group` processors' rules against what Faultline stored: each
// fingerprint rule, in_app_include and in_app_exclude pattern that applies to none of the newest
// stored samples is a warning (a typo in a pattern, or a rule for errors that never come). The
// counting is the grouping preview's (api/grouping-preview.ts); the samples are those of the
// `groups` exporters in the processor's pipelines. Read-only: the SQLite store is opened read-only
// and never migrated, so it is safe while Faultline runs. Without a store, with no samples, with a
// store at another schema version, or on PostgreSQL (not read here), one warning says it could not
// check. Never throws: a store that cannot be read is such a warning too.

import { existsSync } from 'node:fs';
import type { ConfigProblem } from '../config/schema.js';
import type { ComponentConfig, FaultlineConfig } from '../config/types.js';
import { systemClock } from '../internal/clock.js';
import { MIGRATIONS } from '../storage/migrations.js';
import { sqlitePath } from '../storage/open.js';
import { openSqlite } from '../storage/sqlite.js';
import type { Storage } from '../storage/storage.js';
import { DEFAULT_PREVIEW_SAMPLES, previewGrouping, previewRequestOf } from './api/grouping-preview.js';
import type { GroupProcessorConfig } from './config.js';
import type { GroupsExporterConfig } from './store/config.js';
import { createGroupStore, type FoundSample } from './store/group-store.js';

export async function ruleWarnings(config: FaultlineConfig, samples = DEFAULT_PREVIEW_SAMPLES): Promise<ConfigProblem[]> {
  const processors = [...config.processors.values()].filter(isGroupProcessor).filter(hasRules);
  if (processors.length === 0) return [];
  const couldNot = (why: string) =>
    processors.map((processor) => ({ path: `processors.${processor.id}`, message: `could not check its rules against stored samples: ${why}` }));

  const storageConfig = config.service.storage;
  if (storageConfig.engine !== 'sqlite') return couldNot('the store is PostgreSQL, and validate reads only a SQLite store');
  const file = sqlitePath(storageConfig, config.service.dataDir);
  if (!existsSync(file)) return couldNot(`no store at ${file}`);
  let storage: Storage | undefined;
  try {
    storage = await openSqlite(file, { readOnly: true });
    const newest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    const version = await schemaVersion(storage);
    if (version !== newest) return couldNot(`the store ${file} is at schema version ${version}, this Faultline reads ${newest}`);
    const warnings: ConfigProblem[] = [];
    for (const processor of processors) {
      const exporters = groupsExportersOf(config, processor.id);
      const found = await newestSamples(storage, exporters, samples);
      if (found.length === 0) {
        warnings.push({ path: `processors.${processor.id}`, message: `could not check its rules against stored samples: ${file} holds no samples of ${describe(exporters)}` });
        continue;
      }
      warnings.push(...unmatched(processor, found, `${found.length} newest stored samples (${describe(exporters)} in ${file})`));
    }
    return warnings;
  } catch (error) {
    return couldNot(`cannot read ${file}: ${(error as Error).message}`);
  } finally {
    await storage?.close().catch(() => undefined);
  }
}

function unmatched(processor: GroupProcessorConfig, found: readonly FoundSample[], ofWhat: string): ConfigProblem[] {
  // Source maps are left out: rules match types, messages, attributes and printed frames.
  const preview = previewGrouping(found, previewRequestOf({ ...processor, sourceMapsDirectory: '' }, found.length));
  const warnings: ConfigProblem[] = [];
  preview.rules.forEach((rule, index) => {
    if (rule.samples === 0) {
      warnings.push({ path: `processors.${processor.id}.fingerprint_rules[${index}]`, message: `rule "${rule.name}" groups none of the ${ofWhat}` });
    }
  });
  for (const key of ['in_app_include', 'in_app_exclude']) {
    const ofKey = preview.in_app_rules.filter((rule) => rule.key === key);
    ofKey.forEach((rule, index) => {
      if (rule.samples === 0) warnings.push({ path: `processors.${processor.id}.${key}[${index}]`, message: `"${rule.pattern}" names no frame of the ${ofWhat}` });
    });
  }
  return warnings;
}

/** The groups exporters of the pipelines that list the processor (every one when none lists it). */
function groupsExportersOf(config: FaultlineConfig, processorId: string): GroupsExporterConfig[] {
  const all = [...config.exporters.values()].filter((exporter): exporter is GroupsExporterConfig => exporter.type === 'groups');
  const { traces, logs } = config.service.pipelines;
  const listed = new Set([traces, logs].flatMap((pipeline) => (pipeline !== null && pipeline.processors.includes(processorId) ? pipeline.exporters : [])));
  const ofPipelines = all.filter((exporter) => listed.has(exporter.id));
  return ofPipelines.length > 0 ? ofPipelines : all;
}

async function newestSamples(storage: Storage, exporters: readonly GroupsExporterConfig[], limit: number): Promise<FoundSample[]> {
  const found: FoundSample[] = [];
  for (const exporter of exporters) {
    found.push(...(await createGroupStore({ storage, exporter: exporter.id, limits: exporter, clock: systemClock }).recentSamples(limit)));
  }
  return found.sort((a, b) => b.sample.timestampMs - a.sample.timestampMs).slice(0, limit);
}

async function schemaVersion(storage: Storage): Promise<number> {
  return storage.read(async (sql) => {
    const row = await sql.one<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    return Number(row?.version ?? 0);
  });
}

function describe(exporters: readonly GroupsExporterConfig[]): string {
  return exporters.length === 0 ? 'any groups exporter (none is configured)' : exporters.map((exporter) => `exporters.${exporter.id}`).join(', ');
}

function isGroupProcessor(processor: ComponentConfig): processor is GroupProcessorConfig {
  return processor.type === 'group';
}

function hasRules(processor: GroupProcessorConfig): boolean {
  return processor.fingerprintRules.length > 0 || processor.inAppInclude.length > 0 || processor.inAppExclude.length > 0;
}
