// The shapes of error groups and their samples, as the store keeps them and the API shows them,
// and the bounds fixed in code (the configurable ones are in config.ts).

import type { ErrorLevel, ErrorSource } from '../../extract/error-event.js';
import type { Frame, GroupingMethod } from '../grouping.js';
import type { GroupsExporterConfig } from './config.js';

export type GroupState = 'unresolved' | 'resolved' | 'ignored';
export const GROUP_STATES: readonly GroupState[] = ['unresolved', 'resolved', 'ignored'];

/** The configured bounds that filing a batch reads (group-store.ts, file-batch.ts). */
export type StoreLimits = Pick<
  GroupsExporterConfig,
  'maxGroups' | 'samplesPerGroup' | 'maxSampleBytes' | 'maxReleasesPerGroup' | 'maxEnvironmentsPerGroup'
>;

/** Attributes kept per sample, and the longest value kept. */
export const SAMPLE_ATTRIBUTES = 32;
export const SAMPLE_ATTRIBUTE_CHARS = 512;
/** Frames kept per group (the culprit's end of the stack). */
export const GROUP_FRAMES = 100;
/** Ids of groups merged into one group that are remembered (the oldest go first). */
export const MERGED_IDS = 100;

export interface StoredSample {
  readonly id: string;
  readonly timestampMs: number;
  readonly source: ErrorSource;
  readonly level: ErrorLevel;
  readonly environment: string;
  readonly release: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly message: string;
  readonly stacktrace: string;
  readonly handled: boolean;
  readonly spanName: string;
  readonly httpMethod: string;
  readonly httpRoute: string;
  readonly httpStatusCode: number;
  readonly urlPath: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** One group as stored and persisted. Mutable inside the store only; readers get it readonly. */
export interface StoredGroup {
  id: string;
  /** Every group key (service \0 fingerprint) that routes here: its own first, then merged ones. */
  keys: string[];
  service: string;
  fingerprint: string;
  type: string;
  title: string;
  culprit: string;
  frames: Frame[];
  method: GroupingMethod;
  rule: string;
  fingerprintVersion: number;
  /** The level of the latest event. */
  level: ErrorLevel;
  firstSeenMs: number;
  lastSeenMs: number;
  count: number;
  /** Most recently seen last. */
  releases: string[];
  environments: string[];
  /** Oldest first. */
  samples: StoredSample[];
  state: GroupState;
  /** A resolved group seen again in a newer release; cleared when it is resolved or ignored again. */
  regressed: boolean;
  resolvedInRelease: string;
  /** 0 unless the state was changed through the API. */
  stateChangedAtMs: number;
  /** Ids of the groups merged into this one (directly or not), oldest first; they answer for it. */
  mergedIds: string[];
}

export type ErrorGroup = Readonly<StoredGroup>;
