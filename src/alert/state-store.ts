// Alert state in storage, so a restart neither re-fires nor forgets: every rule's groups with their
// state, notification times and cooldown deadlines, and the fingerprints new_group has seen. The
// state is one JSON row of the `documents` table (`alerts/<exporter id>/state`; the HA leader's
// shared copy is `alerts/<exporter id>/leader-state`), so replicas sharing PostgreSQL share it.
// Saves are serialised: a save asked for while one runs is coalesced into one more save after it.
// A row that cannot be read as state is logged, kept aside as `<name>.corrupt-<ms>`, and the
// evaluator starts empty. A state file of a Faultline that kept state under data_dir
// (`<data_dir>/alerts/<id>.state.json`) is imported once when no row exists yet, then renamed
// `<file>.imported-<ms>`.

import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { coalescedWrites, removeStaleTemporaries } from '../internal/atomic-file.js';
import type { Storage } from '../storage/storage.js';
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
  /** The document's name in storage. */
  readonly name: string;
  /** The saved state; null when none (or unreadable: logged). Never rejects. */
  load(now: number): Promise<PersistedState | null>;
  /** Resolves once `state()` as of this call (or later) is stored. Never rejects: failures are logged. */
  save(state: () => PersistedState): Promise<void>;
}

/** The document names of an alerts exporter's state: its own, and the HA leader's shared copy. */
export const stateDocument = (exporterId: string, which: 'state' | 'leader-state' = 'state') => `alerts/${exporterId}/${which}`;

/** Where a Faultline that kept alert state under data_dir wrote it (imported once). */
export const legacyStateFile = (dataDir: string, exporterId: string) =>
  path.join(dataDir, 'alerts', `${exporterId.replace(/[^A-Za-z0-9_-]/g, '_')}.state.json`);

export function createStateStore(options: { storage: Storage; name: string; logger: Logger; importFile?: string }): StateStore {
  const { storage, name, logger } = options;
  /** The state to write: set by save() before it requests a write. */
  let latest: (() => PersistedState) | null = null;
  const write = async (body: string, now: number) =>
    storage.transaction((sql) =>
      sql.run(
        'INSERT INTO documents (name, body, updated_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms',
        [name, body, now],
      ),
    );
  const writes = coalescedWrites(async () => {
    if (latest === null) return;
    const state = latest();
    try {
      await write(JSON.stringify(state), state.savedAt);
    } catch (error) {
      logger.error({ err: error, document: name }, 'alert state could not be saved');
    }
  });

  async function load(now: number): Promise<PersistedState | null> {
    let row: { body: string } | undefined;
    try {
      row = await storage.read((sql) => sql.one<{ body: string }>('SELECT body FROM documents WHERE name = ?', [name]));
    } catch (error) {
      logger.error({ err: error, document: name }, 'alert state could not be read; starting empty');
      return null;
    }
    if (row === undefined) return options.importFile === undefined ? null : importFile(options.importFile, now);
    const parsed = parseState(row.body);
    if (parsed !== null) return parsed;
    const aside = `${name}.corrupt-${now}`;
    await storage
      .transaction(async (sql) => {
        await sql.run('INSERT INTO documents (name, body, updated_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [aside, row.body, now]);
        await sql.run('DELETE FROM documents WHERE name = ?', [name]);
      })
      .catch(() => undefined);
    logger.warn({ document: name, keptAs: aside }, 'alert state is corrupt; kept aside, starting empty');
    return null;
  }

  /** The one-time import of a state file; a corrupt one is set aside as `<file>.corrupt-<ms>`. */
  async function importFile(file: string, now: number): Promise<PersistedState | null> {
    const removed = await removeStaleTemporaries(file);
    if (removed.length > 0) logger.warn({ file, removed }, 'removed temporary files of interrupted writes');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.error({ err: error, file }, 'alert state file could not be read; starting empty');
      return null;
    }
    const parsed = parseState(text);
    if (parsed === null) {
      await rename(file, `${file}.corrupt-${now}`).catch(() => {});
      logger.warn({ file, movedTo: `${file}.corrupt-${now}` }, 'alert state file is corrupt; set aside, starting empty');
      return null;
    }
    try {
      await write(text, now);
      await rename(file, `${file}.imported-${now}`);
      logger.info({ file, document: name }, 'imported the alert state file into storage');
    } catch (error) {
      logger.error({ err: error, file }, 'alert state file could not be imported; using it for this run, importing again at the next start');
    }
    return parsed;
  }

  return {
    name,
    load,
    save(state) {
      latest = state;
      return writes.request();
    },
  };
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
