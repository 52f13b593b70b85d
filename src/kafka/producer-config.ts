// The keys every Kafka producer of Faultline has (the `kafka` exporter and the `kafka` notification
// channel): brokers, client_id, producer.{acks, idempotent, compression}, sasl.{mechanism,
// username, password} and tls.{enabled, ca_file, cert_file, key_file, insecure_skip_verify}.
// Problems carry their YAML path; the SASL username and password are secrets (use ${env:...}):
// their problems never repeat them and they never reach a log line (producer.ts redacts them).
//
// Compression is `none` or `gzip`: the ones kafkajs implements itself. Its snappy, lz4 and zstd
// codecs are separate packages, zstd's a native build; none of them is worth a native addon here.

import { joinPath, list, object, withDefault, type ConfigProblem, type DecodedFields } from '../config/schema.js';
import { boolean, endpoint, oneOf, text } from '../config/value-types.js';
import { nonEmptyText, optionalSecretText } from '../notify/channel-values.js';

export type Acks = 'all' | 'leader' | 'none';
export type Compression = 'none' | 'gzip';
export type SaslMechanism = 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface ProducerSettings {
  /** host:port of the bootstrap brokers; at least one. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** `all`: every in-sync replica wrote the batch; `leader`: the leader did; `none`: no answer awaited. */
  readonly acks: Acks;
  /** The broker drops a batch the producer retried after it was written (needs acks all). */
  readonly idempotent: boolean;
  readonly compression: Compression;
  readonly sasl: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string };
  readonly tls: {
    readonly enabled: boolean;
    /** PEM files; '' uses Node's CA store and no client certificate. */
    readonly caFile: string;
    readonly certFile: string;
    readonly keyFile: string;
    readonly insecureSkipVerify: boolean;
  };
}

export const PRODUCER_DEFAULTS = {
  clientId: 'faultline',
  acks: 'all',
  idempotent: true,
  compression: 'gzip',
  sasl: { mechanism: 'none', username: '', password: '' },
  tls: { enabled: false, caFile: '', certFile: '', keyFile: '', insecureSkipVerify: false },
} as const satisfies Omit<ProducerSettings, 'brokers'>;

const D = PRODUCER_DEFAULTS;

export const PRODUCER_FIELDS = {
  brokers: list(endpoint, (items, path, problems) => {
    if (items.length === 0) problems.push({ path, message: 'expected at least one broker (host:port)' });
  }),
  client_id: withDefault(nonEmptyText, D.clientId),
  producer: object(
    {
      acks: withDefault(oneOf(['all', 'leader', 'none'] as const), D.acks),
      idempotent: withDefault(boolean, D.idempotent),
      compression: withDefault(oneOf(['none', 'gzip'] as const), D.compression),
    },
    (d, path, problems) => {
      if (d.idempotent && d.acks !== 'all') {
        problems.push({ path: joinPath(path, 'idempotent'), message: `an idempotent producer needs acks: all (got ${d.acks}); set idempotent: false or acks: all` });
      }
    },
  ),
  sasl: object(
    {
      mechanism: withDefault(oneOf(['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const), D.sasl.mechanism),
      username: withDefault(optionalSecretText, D.sasl.username),
      password: withDefault(optionalSecretText, D.sasl.password),
    },
    (d, path, problems) => {
      if (d.mechanism === 'none') {
        for (const key of ['username', 'password'] as const) {
          if (d[key] !== '') problems.push({ path: joinPath(path, key), message: 'is set, but sasl.mechanism is none; set a mechanism (plain, scram-sha-256, scram-sha-512)' });
        }
        return;
      }
      for (const key of ['username', 'password'] as const) {
        if (d[key] === '') problems.push({ path: joinPath(path, key), message: `expected a non-empty string: sasl.mechanism ${d.mechanism} needs it` });
      }
    },
  ),
  tls: object(
    {
      enabled: withDefault(boolean, D.tls.enabled),
      ca_file: withDefault(text, D.tls.caFile),
      cert_file: withDefault(text, D.tls.certFile),
      key_file: withDefault(text, D.tls.keyFile),
      insecure_skip_verify: withDefault(boolean, D.tls.insecureSkipVerify),
    },
    (d, path, problems) => tlsProblems(d, path, problems),
  ),
};

function tlsProblems(d: { enabled: boolean; ca_file: string; cert_file: string; key_file: string; insecure_skip_verify: boolean }, path: string, problems: ConfigProblem[]): void {
  if ((d.cert_file === '') !== (d.key_file === '')) {
    const missing = d.cert_file === '' ? 'cert_file' : 'key_file';
    problems.push({ path: joinPath(path, missing), message: 'expected both cert_file and key_file (a client certificate and its key), or neither' });
  }
  if (!d.enabled && (d.ca_file !== '' || d.cert_file !== '' || d.insecure_skip_verify)) {
    problems.push({ path: joinPath(path, 'enabled'), message: 'TLS files or insecure_skip_verify are set, but tls.enabled is false' });
  }
}

export function producerSettings(d: DecodedFields<typeof PRODUCER_FIELDS>): ProducerSettings {
  return {
    brokers: d.brokers,
    clientId: d.client_id,
    acks: d.producer.acks,
    idempotent: d.producer.idempotent,
    compression: d.producer.compression,
    sasl: d.sasl,
    tls: {
      enabled: d.tls.enabled,
      caFile: d.tls.ca_file,
      certFile: d.tls.cert_file,
      keyFile: d.tls.key_file,
      insecureSkipVerify: d.tls.insecure_skip_verify,
    },
  };
}

/** What must never appear in a log line, metric or API answer. */
export function producerSecrets(settings: ProducerSettings): string[] {
  return [settings.sasl.password, settings.sasl.username].filter((secret) => secret !== '');
}
