// A small pool of worker threads that decode large request bodies off the event loop. Decoding
// and extracting a ~4 MiB body costs 100–400 ms of one synchronous run (JSON.parse has no way to
// yield), long enough to fail a liveness probe; on a worker the loop only posts the body
// (its buffer transferred, not copied, when the body owns it) and builds the reply's small
// objects (extracted-message.ts). Keys: service.decode_workers (0: no pool, everything decodes on
// the loop). Jobs wait in arrival order for a free worker; they are bounded by the pipeline's
// byte bound, as their bodies count against service.queue_bytes while they wait and run (ingest.ts).
// Metrics: faultline_pipeline_decode_jobs{state="running"|"waiting"}.
// A worker that dies fails its job with FL_INTERNAL (retryable: the sender resends) and is
// replaced at the next job. shutdown() lets every job already given finish, then stops the
// workers; a job given after that is refused with FL_SHUTTING_DOWN.

import { Worker } from 'node:worker_threads';
import { FaultlineError } from '../errors.js';
import type { Extracted } from '../extract/error-event.js';
import type { ExtractOptions } from '../extract/options.js';
import type { Signal } from '../otlp/types.js';
import type { PayloadFormat } from './decode-request.js';
import type { DecodeJob, DecodeReply } from './decode-worker.js';
import { fromMessage } from './extracted-message.js';

export interface DecodedOffLoop {
  readonly accepted: number;
  readonly rejected: number;
  readonly errorMessage: string;
  readonly batch: Extracted | undefined;
}

/** A component (start/shutdown, component.ts) that service.ts stops after the receivers. */
export interface DecodePool {
  start(): Promise<void>;
  shutdown(): Promise<void>;
  /**
   * Decodes and extracts `body` on a worker, as decodeRequest() would on the loop; rejects with the
   * same FaultlineError. Takes the body: its bytes may be moved to the worker (the caller must not
   * read it afterwards).
   */
  decode(signal: Signal, format: PayloadFormat, body: Uint8Array, options: ExtractOptions): Promise<DecodedOffLoop>;
  readonly running: number;
  readonly waiting: number;
}

interface Pending {
  readonly job: Omit<DecodeJob, 'id'>;
  readonly resolve: (decoded: DecodedOffLoop) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  /** The job it runs, or undefined while idle. */
  current: (Pending & { readonly id: number }) | undefined;
}

const WORKER_URL = new URL('./decode-worker.js', import.meta.url);

export function createDecodePool(options: {
  workers: number;
  onChange?: (running: number, waiting: number) => void;
}): DecodePool {
  const size = Math.max(1, options.workers);
  const slots: Slot[] = [];
  const waiting: Pending[] = [];
  let nextId = 0;
  let running = 0;
  let closed = false;
  let idle: (() => void) | undefined;

  function changed(): void {
    options.onChange?.(running, waiting.length);
    if (running === 0 && waiting.length === 0) idle?.();
  }

  function spawn(): Slot {
    // No inherited Node flags: a preload (--import, --require) would run again in every worker, and
    // some (--input-type) stop a worker from starting at all.
    const worker = new Worker(WORKER_URL, { execArgv: [] });
    const slot: Slot = { worker, current: undefined };
    // An idle worker does not keep the process alive; one with a job does (ref in dispatch()).
    worker.unref();
    worker.on('message', (reply: DecodeReply) => settle(slot, reply));
    worker.on('error', (error) => fail(slot, error));
    worker.on('exit', (code) => fail(slot, new Error(`decode worker exited with code ${code}`)));
    slots.push(slot);
    return slot;
  }

  /** The worker died: its job fails (retryable), and a new worker takes its place at the next job. */
  function fail(slot: Slot, error: Error): void {
    const at = slots.indexOf(slot);
    if (at >= 0) slots.splice(at, 1);
    const job = slot.current;
    slot.current = undefined;
    if (job !== undefined) {
      running--;
      job.reject(new FaultlineError('FL_INTERNAL', `decode worker failed: ${error.message}`, { cause: error }));
    }
    dispatch();
    changed();
  }

  function settle(slot: Slot, reply: DecodeReply): void {
    const job = slot.current;
    if (job === undefined || job.id !== reply.id) return;
    slot.current = undefined;
    slot.worker.unref();
    running--;
    if (reply.ok) {
      job.resolve({ accepted: reply.accepted, rejected: reply.rejected, errorMessage: reply.errorMessage, batch: reply.batch === undefined ? undefined : fromMessage(reply.batch) });
    } else {
      job.reject(
        reply.code === undefined
          ? new Error(reply.message)
          : new FaultlineError(reply.code, reply.message, reply.retryAfterSeconds === undefined ? undefined : { retryAfterSeconds: reply.retryAfterSeconds }),
      );
    }
    dispatch();
    changed();
  }

  function dispatch(): void {
    while (waiting.length > 0) {
      const slot = slots.find((candidate) => candidate.current === undefined) ?? (slots.length < size ? spawn() : undefined);
      if (slot === undefined) return;
      const pending = waiting.shift()!;
      const id = nextId++;
      slot.current = { ...pending, id };
      running++;
      slot.worker.ref();
      post(slot.worker, { ...pending.job, id });
    }
  }

  return {
    decode(signal, format, body, extractOptions) {
      if (closed) {
        return Promise.reject(new FaultlineError('FL_SHUTTING_DOWN', 'Faultline is shutting down; retry against another instance or later', { retryAfterSeconds: 1 }));
      }
      return new Promise<DecodedOffLoop>((resolve, reject) => {
        waiting.push({ job: { signal, format, body, options: extractOptions }, resolve, reject });
        dispatch();
        changed();
      });
    },
    get running() {
      return running;
    },
    get waiting() {
      return waiting.length;
    },
    async start() {
      // Workers load their modules now rather than at the first large request.
      while (slots.length < size) spawn();
    },
    async shutdown() {
      closed = true;
      if (running > 0 || waiting.length > 0) await new Promise<void>((resolve) => (idle = resolve));
      const stopping = slots.splice(0);
      for (const slot of stopping) slot.worker.removeAllListeners('exit');
      await Promise.all(stopping.map((slot) => slot.worker.terminate()));
    },
  };
}

/** Moves the body's bytes to the worker when the body spans its whole buffer; copies them otherwise. */
function post(worker: Worker, job: DecodeJob): void {
  const { body } = job;
  const buffer = body.buffer;
  if (buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === buffer.byteLength) {
    try {
      worker.postMessage(job, [buffer]);
      return;
    } catch {
      // An untransferable buffer (Node's pool): copied below.
    }
  }
  const copy = new Uint8Array(body.byteLength);
  copy.set(body);
  worker.postMessage({ ...job, body: copy }, [copy.buffer]);
}
