// The kafka exporter's sender: takes the oldest buffered messages (batch.max_messages and
// batch.max_bytes at a time), produces them, and deletes them once the broker acknowledged them.
// One send at a time; kick() after each buffer write starts one, or has the running one go on.
//
// A failed send keeps its messages (their claims released) and waits retry.initial_interval,
// doubling up to retry.max_interval; meanwhile the problem is reported (the exporter is degraded)
// and faultline_kafka_broker_connected is 0. A batch refused for good (too large, not authorised) is
// sent again at once one message at a time; a single message refused for good is dropped and
// counted (`rejected`). A storage failure is counted (`storage`) and retried like a send.

import type { Logger } from 'pino';
import type { KafkaExporterConfig } from './config.js';
import type { BufferedMessage, KafkaBuffer } from './kafka-buffer.js';
import type { KafkaMetrics } from './kafka-metrics.js';
import { KafkaSendError, type KafkaProducer } from './producer.js';

export interface KafkaSender {
  /** Sends what is buffered, now or after the running send; not while waiting to retry. */
  kick(): void;
  /** '' while sends succeed, else why they fail (for /health). */
  readonly problem: string;
  /** Stops retrying; one last send while the brokers answer, bounded by `deadlineMs` (epoch ms). */
  finish(deadlineMs: number): Promise<void>;
}

export function createKafkaSender(options: {
  config: Pick<KafkaExporterConfig, 'topic' | 'timeoutMs' | 'batch' | 'retry'>;
  buffer: KafkaBuffer;
  producer: KafkaProducer;
  metrics: KafkaMetrics;
  logger: Logger;
  onProblem: (problem: string) => void;
}): KafkaSender {
  const { config, buffer, producer, metrics, logger } = options;
  // Claims are real time: they must outlast one send, whatever the injected clock says.
  const leaseMs = 3 * config.timeoutMs;
  let problem = '';
  let stopped = false;
  let sending: Promise<void> | undefined;
  let kickedWhileSending = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let backoffMs = 0;
  /** After a batch was refused for good: send this many messages one at a time, to find the one. */
  let alone = 0;

  const setProblem = (next: string) => {
    if (next === problem) return;
    problem = next;
    options.onProblem(problem);
  };

  function kick(): void {
    if (stopped || retryTimer !== undefined) return;
    if (sending !== undefined) {
      // Rows written meanwhile may have missed the running send's last claim.
      kickedWhileSending = true;
      return;
    }
    kickedWhileSending = false;
    sending = pump().finally(() => {
      sending = undefined;
      if (kickedWhileSending) kick();
    });
  }

  function retryLater(): void {
    backoffMs = backoffMs === 0 ? config.retry.initialIntervalMs : Math.min(backoffMs * 2, config.retry.maxIntervalMs);
    if (stopped) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      kick();
    }, backoffMs);
    retryTimer.unref();
  }

  /** Never rejects. Each round after a refusal for good drops a message or narrows the batch to one, so it ends. */
  async function pump(): Promise<void> {
    while (await sendAll()) {
      // a batch was refused for good: send again, narrowed
    }
  }

  /** True when sending should go on at once (a refusal for good), false when done or waiting to retry. */
  async function sendAll(): Promise<boolean> {
    let claimed: BufferedMessage[] = [];
    try {
      await producer.connect();
      metrics.connected(true);
      for (;;) {
        claimed = await buffer.claim(alone > 0 ? 1 : config.batch.maxMessages, Date.now(), leaseMs);
        if (claimed.length === 0) break;
        const batch = withinBytes(claimed, config.batch.maxBytes);
        await buffer.release(claimed.slice(batch.length).map((message) => message.eventId));
        claimed = batch;
        await producer.send(config.topic, batch);
        metrics.produced(batch.length, batch.reduce((sum, message) => sum + Buffer.byteLength(message.value), 0));
        metrics.depth(await buffer.remove(batch.map((message) => message.eventId)));
        claimed = [];
        if (alone > 0) alone -= 1;
        backoffMs = 0;
        setProblem('');
      }
      backoffMs = 0;
      setProblem('');
      return false;
    } catch (error) {
      return failed(error, claimed);
    }
  }

  async function failed(error: unknown, claimed: readonly BufferedMessage[]): Promise<boolean> {
    const ids = claimed.map((message) => message.eventId);
    if (!(error instanceof KafkaSendError)) {
      metrics.error('storage');
      logger.warn({ err: error }, 'the kafka buffer could not be read or updated; retrying');
      await buffer.release(ids).catch(() => {});
      retryLater();
      return false;
    }
    metrics.error(error.reason);
    if (!error.retryable && claimed.length > 0) {
      if (claimed.length === 1) {
        metrics.dropped('rejected', 1);
        logger.warn({ reason: error.message, event_id: ids[0] }, 'the broker refused an error event for good; dropped');
        metrics.depth(await buffer.remove(ids).catch(() => 0));
      } else {
        alone = claimed.length;
        await buffer.release(ids).catch(() => {});
      }
      return !stopped;
    }
    metrics.connected(false);
    await buffer.release(ids).catch(() => {});
    const depth = await buffer.depth().catch(() => -1);
    if (depth >= 0) metrics.depth(depth);
    if (problem === '') logger.warn({ reason: error.reason, err: error.message, buffered: depth }, 'the kafka brokers cannot be reached; error events are buffered');
    setProblem(`degraded: kafka ${error.reason}: ${error.message}; ${depth} events buffered`);
    retryLater();
    return false;
  }

  return {
    kick,
    get problem() {
      return problem;
    },
    async finish(deadlineMs) {
      clearTimeout(retryTimer);
      retryTimer = undefined;
      await sending;
      await sending; // a kick that came during the first
      if (problem === '') {
        let timer: NodeJS.Timeout | undefined;
        const timeUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()))));
        await Promise.race([pump(), timeUp]);
        clearTimeout(timer);
      }
      stopped = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
    },
  };
}

/** The longest prefix within maxBytes of values (at least one message). */
function withinBytes(messages: readonly BufferedMessage[], maxBytes: number): BufferedMessage[] {
  let total = 0;
  let count = 0;
  for (const message of messages) {
    total += Buffer.byteLength(message.value);
    if (count > 0 && total > maxBytes) break;
    count += 1;
  }
  return messages.slice(0, count);
}
