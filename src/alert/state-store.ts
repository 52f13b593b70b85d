// Alert state on disk, so a restart neither re-fires nor forgets: every rule's groups with their
// state, notification times and cooldown deadlines, and the fingerprints new_group has seen.
// Writes are atomic (a temp file, then rename) and serialised: a save asked for while one runs is
// coalesced into one more save after it. A file that cannot be read as state is logged, moved
// aside as `<file>.corrupt-<ms>`, and the evaluator starts empty.

import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { coalescedWrites, removeStaleTemporaries, writeFileAtomic } from '../internal/atomic-file.js';
import type { GroupState } from './alert-state.js';

export interface PersistedRule {
  /** Digest of what decides the rule's groups and values; a changed rule starts afresh. */
  readonly signature: string;
  readonly groups: readonly GroupState[];
}

export interface PersistedState {
  readonly version: 1;
  readonly savedAt: number;
  readonly rules: Readonly<Record<string, PersistedRule>>;
  /** new_group's memory when events carry no grouping (service + exception type digests). */
  readonly fingerprints: readonly string[];
}

export interface StateStore {
  readonly file: string;
  load(now: number): Promise<PersistedState | null>;
  /** Resolves once `state()` as of this call (or later) is on disk. Never rejects: failures are logged. */
  save(state: () => PersistedState): Promise<void>;
}

/** `file` overrides the default `<dataDir>/alerts/<exporterId>.state.json` (the HA leader's shared copy). */
export function createStateStore(options: { dataDir: string; exporterId: string; logger: Logger; file?: string }): StateStore {
  const { logger } = options;
  const file = options.file ?? path.join(options.dataDir, 'alerts', `${options.exporterId.replace(/[^A-Za-z0-9_-]/g, '_')}.state.json`);
  /** The state to write: set by save() before it requests a write. */
  let latest: (() => PersistedState) | null = null;
  const writes = coalescedWrites(async () => {
    if (latest === null) return;
    try {
      await writeFileAtomic(file, JSON.stringify(latest()));
    } catch (error) {
      logger.error({ err: error, file }, 'alert state could not be saved');
    }
  });

  return {
    file,
    async load(now) {
      const removed = await removeStaleTemporaries(file);
      if (removed.length > 0) logger.warn({ file, removed }, 'removed temporary files of interrupted writes');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        logger.error({ err: error, file }, 'alert state could not be read; starting empty');
        return null;
      }
      const parsed = parseState(text);
      if (parsed !== null) return parsed;
      const aside = `${file}.corrupt-${now}`;
      await rename(file, aside).catch(() => {});
      logger.warn({ file, movedTo: aside }, 'alert state file is corrupt; set aside, starting empty');
      return null;
    },
    save,
  };

  function save(state: () => PersistedState): Promise<void> {
    latest = state;
    return writes.request();
  }
}

function parseState(text: string): PersistedState | null {
  try {
    const value = JSON.parse(text) as PersistedState;
    if (value === null || typeof value !== 'object' || value.version !== 1) return null;
    if (typeof value.rules !== 'object' || value.rules === null || !Array.isArray(value.fingerprints)) return null;
    for (const rule of Object.values(value.rules)) {
      if (typeof rule.signature !== 'string' || !Array.isArray(rule.groups)) return null;
      for (const group of rule.groups) if (typeof group.key !== 'string' || typeof group.state !== 'string') return null;
    }
    return value;
  } catch {
    return null;
  }
}
