// service.storage: where Faultline keeps what it persists (error groups and their samples, alert
// state, pending notifications). One of:
//   sqlite:   { path }                     the default, a file under data_dir; no other service
//   postgres: { url, pool_size, connect_timeout }
//                                          shared by replicas (see docs/storage.md)
// Absent, or `sqlite: {}`, means SQLite at `<data_dir>/faultline.db`. docs/config.md lists the keys.

import type { ConfigProblem, Type } from './schema.js';
import { map, object, optional, withDefault } from './schema.js';
import { duration, integer, text } from './value-types.js';

export type StorageConfig =
  | { readonly engine: 'sqlite'; /** '' means `<data_dir>/faultline.db`. */ readonly path: string }
  | {
      readonly engine: 'postgres';
      /** postgres://user:password@host:port/database (the password never reaches logs). */
      readonly url: string;
      readonly poolSize: number;
      readonly connectTimeoutMs: number;
    };

export const POSTGRES_DEFAULTS = { poolSize: 4, connectTimeoutMs: 10_000 };

export const STORAGE_DEFAULT: StorageConfig = { engine: 'sqlite', path: '' };

export const storageType: Type<StorageConfig> = map(
  object(
    {
      sqlite: optional(object({ path: withDefault(text, '') })),
      postgres: optional(
        object({
          url: withDefault(text, ''),
          pool_size: withDefault(integer(1, 100), POSTGRES_DEFAULTS.poolSize),
          connect_timeout: withDefault(duration, POSTGRES_DEFAULTS.connectTimeoutMs),
        }),
      ),
    },
    (decoded, path, problems: ConfigProblem[]) => {
      if (decoded.sqlite !== null && decoded.postgres !== null) {
        problems.push({ path, message: 'expected one of sqlite or postgres, got both' });
      }
      if (decoded.postgres !== null && !/^postgres(ql)?:\/\//.test(decoded.postgres.url)) {
        problems.push({ path: `${path}.postgres.url`, message: 'expected a postgres:// URL, e.g. postgres://faultline:${env:PGPASSWORD}@db:5432/faultline' });
      }
    },
  ),
  (decoded): StorageConfig =>
    decoded.postgres !== null
      ? { engine: 'postgres', url: decoded.postgres.url, poolSize: decoded.postgres.pool_size, connectTimeoutMs: decoded.postgres.connect_timeout }
      : { engine: 'sqlite', path: decoded.sqlite?.path ?? '' },
);

/** The URL without its password, for logs and health details. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
