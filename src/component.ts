// The lifecycle contract every component keeps. service.ts starts components in order and shuts
// them down in reverse.

export interface Component {
  /** Acquire ports, timers and files. Rejects if the component cannot run (e.g. port in use). */
  start(): Promise<void>;
  /**
   * Stop accepting work, finish what is in flight, flush, release resources. Safe to call
   * without start() and more than once.
   */
  shutdown(): Promise<void>;
}
