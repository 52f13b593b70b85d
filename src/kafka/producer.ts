// One Kafka producer (kafkajs, pure JavaScript) with Faultline's settings (producer-config.ts):
// the `kafka` exporter and the `kafka` notification channel each hold one. send() connects on
// first use and after any failure (a broker that froze or went away is dialled again from
// scratch), waits for the acks asked for, and rejects with a KafkaSendError that names its reason
// (`unreachable`, `timeout`, `auth`, `rejected`, `other`) and whether a retry can help, its message
// stripped of the SASL username and password. Nothing is logged here: kafkajs's own logger is off,
// callers count and log the reasons.
//
// Why kafkajs: pure JavaScript (no native build, unlike @confluentinc/kafka-javascript), it speaks
// the older protocol versions the librdkafka mock cluster of the tests answers, and it has SASL
// PLAIN/SCRAM, TLS, acks, gzip and an idempotent producer. @platformatic/kafka, the other pure one,
// refuses brokers that answer ApiVersions v3 with an older version (the mock cluster does) and its
// current releases need Node 22.

import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { CompressionTypes, Kafka, Producer, SASLOptions } from 'kafkajs';
import { reasonOf } from '../notify/redact.js';
import { producerSecrets, type ProducerSettings } from './producer-config.js';

export type SendFailure = 'unreachable' | 'timeout' | 'auth' | 'rejected' | 'other';

export class KafkaSendError extends Error {
  constructor(
    message: string,
    readonly reason: SendFailure,
    /** False when the broker refused these messages for good (too large, not authorised…). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'KafkaSendError';
  }
}

export interface OutgoingMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface KafkaProducer {
  /** Connects unless connected; rejects with a KafkaSendError. */
  connect(): Promise<void>;
  /** Resolves once the broker acknowledged every message (as `acks` asks); rejects with a KafkaSendError. */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /** Disconnects; later sends connect again. */
  close(): Promise<void>;
}

const ACKS = { all: -1, leader: 1, none: 0 } as const;

/**
 * Builds the producer without connecting. Throws when a TLS file cannot be read, naming its key
 * under `options.path` (e.g. `exporters.kafka`), so a bad file stops the start.
 */
export function createKafkaProducer(settings: ProducerSettings, options: { timeoutMs: number; path: string }): KafkaProducer {
  const secrets = producerSecrets(settings);
  // TLS files are read now, so a bad one stops the start; kafkajs itself is loaded at the first
  // connection (a few hundred ms of every start, with or without a kafka component, otherwise).
  const clientConfig = {
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    ssl: tlsOptions(settings, options.path),
    sasl: saslOptions(settings),
    connectionTimeout: Math.min(options.timeoutMs, 10_000),
    authenticationTimeout: options.timeoutMs,
    requestTimeout: options.timeoutMs,
    enforceRequestTimeout: true,
    // Faultline retries from its own buffer; one quick retry rides out a leader change.
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 },
  };
  let kafka: Kafka | undefined;
  /** kafkajs's code for settings.compression, known once kafkajs is loaded. */
  let compression: CompressionTypes | undefined;
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;

  function connected(): Promise<Producer> {
    connecting ??= (async () => {
      const kafkajs = await import('kafkajs');
      kafka ??= new kafkajs.Kafka({ ...clientConfig, logLevel: kafkajs.logLevel.NOTHING });
      compression = settings.compression === 'gzip' ? kafkajs.CompressionTypes.GZIP : kafkajs.CompressionTypes.None;
      const fresh = kafka.producer({
        idempotent: settings.idempotent,
        maxInFlightRequests: settings.idempotent ? 1 : undefined,
        allowAutoTopicCreation: true,
        // kafkajs refuses an idempotent producer without retries; otherwise a retry here would only
        // add a copy when the broker stored the first attempt after all (a hung broker does).
        retry: { retries: settings.idempotent ? 1 : 0, initialRetryTime: 200, maxRetryTime: 1_000 },
      });
      try {
        await fresh.connect();
      } catch (error) {
        await fresh.disconnect().catch(() => {});
        throw error;
      }
      producer = fresh;
      return fresh;
    })().finally(() => (connecting = undefined));
    return connecting;
  }

  async function drop(): Promise<void> {
    const old = producer;
    producer = undefined;
    await old?.disconnect().catch(() => {});
  }

  return {
    async connect() {
      if (producer !== undefined) return;
      try {
        await connected();
      } catch (error) {
        throw classify(error, secrets);
      }
    },
    async send(topic, messages) {
      try {
        const live = producer ?? (await connected());
        await live.send({
          topic,
          acks: ACKS[settings.acks],
          timeout: options.timeoutMs,
          compression,
          messages: messages.map((message) => ({ key: message.key, value: message.value, headers: { ...message.headers } })),
        });
      } catch (error) {
        await drop();
        throw classify(error, secrets);
      }
    },
    async close() {
      await connecting?.catch(() => {});
      await drop();
    },
  };
}

function tlsOptions(settings: ProducerSettings, path: string): ConnectionOptions | undefined {
  const { tls } = settings;
  if (!tls.enabled) return undefined;
  // Read at build, so a missing file stops the start with its key instead of failing every send.
  const read = (key: string, file: string) => {
    if (file === '') return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`${path}.tls.${key}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  return { ca: read('ca_file', tls.caFile), cert: read('cert_file', tls.certFile), key: read('key_file', tls.keyFile), rejectUnauthorized: !tls.insecureSkipVerify };
}

function saslOptions(settings: ProducerSettings): SASLOptions | undefined {
  const { mechanism, username, password } = settings.sasl;
  if (mechanism === 'none') return undefined;
  return { mechanism, username, password } as SASLOptions;
}

/** kafkajs errors by what they mean for a retry; the message is redacted. */
function classify(error: unknown, secrets: readonly string[]): KafkaSendError {
  const message = reasonOf(error, secrets);
  const names = new Set<string>();
  let retriable = true;
  for (let at: unknown = error, depth = 0; at instanceof Error && depth < 5; depth++) {
    names.add(at.name);
    if ((at as { retriable?: boolean }).retriable === false && at.name === 'KafkaJSProtocolError') retriable = false;
    at = (at as { originalError?: unknown }).originalError ?? at.cause;
  }
  if (names.has('KafkaJSSASLAuthenticationError') || /SASL|authenticat/i.test(message)) return new KafkaSendError(message, 'auth', true);
  if (names.has('KafkaJSRequestTimeoutError') || names.has('KafkaJSTimeout') || /timed? ?out|timeout/i.test(message)) {
    return new KafkaSendError(message, 'timeout', true);
  }
  if (names.has('KafkaJSConnectionError') || names.has('KafkaJSBrokerNotFound') || /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|Connection/i.test(message)) {
    return new KafkaSendError(message, 'unreachable', true);
  }
  if (names.has('KafkaJSProtocolError')) return new KafkaSendError(message, 'rejected', retriable);
  return new KafkaSendError(message, 'other', true);
}
