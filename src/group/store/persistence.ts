// The groups file older Faultlines wrote, one per groups exporter under service.data_dir
// (`groups.json` for `groups`, `groups-<name>.json` for `groups/<name>`), read once to import it
// into storage (import-json.ts). A file that cannot be read as groups (bad JSON, wrong shape, a
// newer format) is logged, renamed aside to `<file>.corrupt-<unix ms>`, and nothing is imported:
// a bad file never stops Faultline from starting.

import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { removeStaleTemporaries } from '../../internal/atomic-file.js';
import { GROUP_STATES, type StoredGroup, type StoredSample } from './group-store.js';

export const FORMAT = 'faultline.groups';
export const FORMAT_VERSION = 1;

export function groupsFilePath(dataDir: string, exporterId: string): string {
  const slash = exporterId.indexOf('/');
  const name = slash < 0 ? 'groups.json' : `groups-${exporterId.slice(slash + 1).replace(/[^A-Za-z0-9_.-]/g, '_')}.json`;
  return path.join(dataDir, name);
}

/** The persisted groups, least recently updated first; [] when there is no file or it is corrupt. */
export async function loadGroups(file: string, logger: Logger, nowMs: number): Promise<StoredGroup[]> {
  const removed = await removeStaleTemporaries(file);
  if (removed.length > 0) logger.warn({ file, removed }, 'removed temporary files of interrupted writes');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    logger.error({ err: error, file }, 'error groups file could not be read; starting with no groups');
    return [];
  }
  const problem = parseProblem(text);
  if (typeof problem !== 'string') return problem;
  const aside = `${file}.corrupt-${nowMs}`;
  try {
    await rename(file, aside);
    logger.error({ file, movedTo: aside, problem }, 'error groups file is corrupt; moved it aside and started with no groups');
  } catch (error) {
    logger.error({ err: error, file, problem }, 'error groups file is corrupt and could not be moved aside; starting with no groups');
  }
  return [];
}

/** The groups, or a string saying what is wrong. */
function parseProblem(text: string): StoredGroup[] | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (!isRecord(data) || data.format !== FORMAT) return `not a ${FORMAT} file`;
  if (data.version !== FORMAT_VERSION) return `format version ${String(data.version)} is not ${FORMAT_VERSION}`;
  if (!Array.isArray(data.groups)) return 'groups: expected a list';
  for (let i = 0; i < data.groups.length; i++) {
    const wrong = groupProblem(data.groups[i]);
    if (wrong !== '') return `groups[${i}]: ${wrong}`;
  }
  // Files written before merged ids were kept have none.
  return (data.groups as StoredGroup[]).map((group) => ({ ...group, mergedIds: group.mergedIds ?? [] }));
}

const GROUP_FIELDS: Record<string, 'string' | 'number' | 'boolean' | 'strings' | 'list'> = {
  id: 'string',
  keys: 'strings',
  service: 'string',
  fingerprint: 'string',
  type: 'string',
  title: 'string',
  culprit: 'string',
  frames: 'list',
  method: 'string',
  rule: 'string',
  fingerprintVersion: 'number',
  firstSeenMs: 'number',
  lastSeenMs: 'number',
  count: 'number',
  releases: 'strings',
  environments: 'strings',
  samples: 'list',
  state: 'string',
  regressed: 'boolean',
  resolvedInRelease: 'string',
  stateChangedAtMs: 'number',
};

const SAMPLE_FIELDS: Record<keyof StoredSample, 'string' | 'number' | 'boolean' | 'map'> = {
  id: 'string',
  timestampMs: 'number',
  source: 'string',
  level: 'string',
  environment: 'string',
  release: 'string',
  traceId: 'string',
  spanId: 'string',
  message: 'string',
  stacktrace: 'string',
  handled: 'boolean',
  spanName: 'string',
  httpMethod: 'string',
  httpRoute: 'string',
  httpStatusCode: 'number',
  urlPath: 'string',
  attributes: 'map',
};

function groupProblem(value: unknown): string {
  if (!isRecord(value)) return 'expected a map';
  for (const [field, kind] of Object.entries(GROUP_FIELDS)) {
    const item = value[field];
    const ok =
      kind === 'strings'
        ? Array.isArray(item) && item.every((entry) => typeof entry === 'string')
        : kind === 'list'
          ? Array.isArray(item)
          : typeof item === kind;
    if (!ok) return `${field}: expected ${kind === 'strings' ? 'a list of strings' : kind === 'list' ? 'a list' : `a ${kind}`}`;
  }
  if (!GROUP_STATES.includes(value.state as never)) return `state: expected one of ${GROUP_STATES.join(', ')}`;
  if ((value.keys as string[]).length === 0) return 'keys: expected at least one';
  const merged = value.mergedIds;
  if (merged !== undefined && !(Array.isArray(merged) && merged.every((id) => typeof id === 'string'))) {
    return 'mergedIds: expected a list of strings';
  }
  for (const [index, sample] of (value.samples as unknown[]).entries()) {
    if (!isRecord(sample)) return `samples[${index}]: expected a map`;
    for (const [field, kind] of Object.entries(SAMPLE_FIELDS)) {
      if (kind === 'map' ? !isRecord(sample[field]) : typeof sample[field] !== kind) return `samples[${index}].${field}: expected a ${kind}`;
    }
  }
  for (const [index, frame] of (value.frames as unknown[]).entries()) {
    if (!isRecord(frame) || typeof frame.function !== 'string' || typeof frame.module !== 'string') {
      return `frames[${index}]: expected a frame`;
    }
  }
  return '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
