// The seam between the alert evaluator and the delivery pipeline. The evaluator decides *what*
// to say and *when* (state machine, cooldowns); the delivery pipeline decides *how* it reaches
// each channel (queue, retries, circuit breaker, persistence) and never blocks the evaluator.

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

export interface AlertNotification {
  /** Unique per notification; channels and retries use it to deliver at most once. */
  readonly id: string;
  readonly rule: string;
  readonly state: 'firing' | 'resolved';
  readonly severity: AlertSeverity;
  /** Stable for one rule and group across notifications and restarts (e.g. PagerDuty's dedup_key). */
  readonly groupKey: string;
  /** The rule's labels plus the group's labels (service, environment, exception_type…). */
  readonly labels: Readonly<Record<string, string>>;
  /** summary, description… after templating. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly value: number;
  readonly threshold: number;
  readonly windowMs: number;
  /** Unix ms. */
  readonly startsAt: number;
  /** Unix ms; set when resolved. */
  readonly endsAt?: number;
  /** One error of the incident, already scrubbed, for context and a trace link. */
  readonly sample?: {
    readonly service: string;
    readonly type: string;
    readonly message: string;
    readonly stacktrace: string;
    readonly traceId: string;
  };
  /**
   * The error group the alert is about (new_group and regression rules, rules grouped by
   * fingerprint), when a groups store holds it: its id now (after merges) and its link in the API.
   */
  readonly group?: {
    readonly id: string;
    readonly url: string;
  };
  /** Channel names from the rule. */
  readonly channels: readonly string[];
}

/** What one delivery attempt to one channel came to. */
export type DeliveryResult =
  | { readonly outcome: 'delivered' }
  | { readonly outcome: 'retryable'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly outcome: 'failed'; readonly reason: string };

/** One channel (webhook, slack…). Must not throw: every failure is a DeliveryResult. */
export interface Notifier {
  readonly name: string;
  notify(notification: AlertNotification, signal: AbortSignal): Promise<DeliveryResult>;
}

/** Where the evaluator hands notifications. Returns at once; delivery happens behind it. */
export interface NotificationSink {
  send(notification: AlertNotification): void;
  /**
   * Called after every evaluation with every alert currently firing, for channels that mirror
   * state rather than announce changes (Alertmanager wants firing alerts re-sent with endsAt ahead).
   */
  refresh(firing: readonly AlertNotification[]): void;
}
