// The one-time import of a groups file written by Faultline before it kept groups in storage
// (`<data_dir>/groups.json`, or `groups-<name>.json` for `groups/<name>`; persistence.ts reads it).
// At start, when the file exists, its groups (keys, merged ids, samples, states) are written into
// the store in transactions of IMPORT_BATCH groups, and the file is renamed
// `<file>.imported-<unix ms>` so it is imported once. Groups already in storage are kept as they
// are (the file never overwrites newer data). A corrupt file is set aside by persistence.ts.
// Temporary files that interrupted writes of the old file left beside it are removed first.

import { rename, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { removeStaleTemporaries } from '../../internal/atomic-file.js';
import { inChunks, type Storage } from '../../storage/storage.js';
import { framesValues, GROUP_COLUMNS, groupValues, INSERT_SAMPLE, sampleColumns, sampleValues, UPSERT_FRAMES } from './group-rows.js';
import { MERGED_IDS, type StoredGroup } from './group-store.js';
import { groupsFilePath, loadGroups } from './persistence.js';
import { indexWaitingGroups, SEARCH_INDEX_BATCH } from './text-search.js';

const IMPORT_BATCH = 500;

export async function importGroupsFile(options: {
  storage: Storage;
  exporter: string;
  dataDir: string;
  samplesPerGroup: number;
  logger: Logger;
  nowMs: number;
}): Promise<number> {
  const { storage, exporter, logger, nowMs } = options;
  const file = groupsFilePath(options.dataDir, exporter);
  const removed = await removeStaleTemporaries(file);
  if (removed.length > 0) logger.warn({ file, removed }, 'removed temporary files of interrupted writes');
  try {
    await stat(file);
  } catch {
    return 0;
  }
  const groups = await loadGroups(file, logger, nowMs);
  let imported = 0;
  for (let start = 0; start < groups.length; start += IMPORT_BATCH) {
    const batch = groups.slice(start, start + IMPORT_BATCH);
    imported += await storage.transaction(async (sql) => {
      let written = 0;
      for (const [offset, group] of batch.entries()) {
        // The file lists groups least recently updated first: keep that order for eviction.
        const inserted = await sql.run(
          `INSERT INTO groups (${GROUP_COLUMNS.join(', ')}) VALUES (${GROUP_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (exporter, id) DO NOTHING`,
          groupValues(exporter, trimmed(group), nowMs - groups.length + start + offset),
        );
        if (inserted === 0) continue;
        written++;
        await sql.run(UPSERT_FRAMES, framesValues(exporter, trimmed(group)));
        for (const key of group.keys) {
          const cut = key.indexOf('\0');
          await sql.run('INSERT INTO group_keys (exporter, service, fingerprint, group_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
            exporter,
            key.slice(0, cut),
            key.slice(cut + 1),
            group.id,
          ]);
        }
        for (const alias of group.mergedIds.slice(-MERGED_IDS)) {
          await sql.run('INSERT INTO group_aliases (exporter, alias_id, group_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [exporter, alias, group.id]);
        }
        for (const sample of group.samples.slice(-options.samplesPerGroup)) {
          await sql.run(INSERT_SAMPLE, sampleValues(exporter, group.id, sampleColumns(sample)));
        }
      }
      return written;
    });
  }
  // Imported groups wait for the search index as opened ones do (text-search.ts): thousands of
  // them would be left to the LIKEs, so they are indexed now, SEARCH_INDEX_BATCH per transaction.
  if (storage.engine === 'sqlite') await inChunks(storage, SEARCH_INDEX_BATCH, (sql) => indexWaitingGroups(sql, SEARCH_INDEX_BATCH));
  const aside = `${file}.imported-${nowMs}`;
  await rename(file, aside);
  logger.info({ file, movedTo: aside, groups: groups.length, imported }, 'imported the groups file into storage');
  return imported;
}

function trimmed(group: StoredGroup): StoredGroup {
  return { ...group, mergedIds: group.mergedIds.slice(-MERGED_IDS) };
}
