/** How one delivery job ended, for counters. */
export type DeliveryOutcome =
  /** 2xx */
  | 'delivered'
  /** given up: refused (4xx), out of attempts, expired, or no key to sign with */
  | 'failed'
  /** attempted, failed, tried again later */
  | 'retried'
  /** not attempted: the host is paused; a successor job waits for it */
  | 'deferred';

export type DeliverySkipReason = 'host-blocked' | 'local' | 'invalid-url';

/** The counters delivery reports; the metrics module implements it with prom-client. */
export interface DeliveryMetrics {
  deliveryFinished(outcome: DeliveryOutcome): void;
  /** Deliveries queued (one per inbox). */
  deliveriesQueued?(count: number): void;
  /** Inboxes not delivered to at all (duplicates are not counted). */
  deliverySkipped?(reason: DeliverySkipReason): void;
  /** Duration of one POST, with its HTTP status ("timeout"/"network" when there was none). */
  requestFinished?(seconds: number, status: number | 'timeout' | 'network'): void;
}
