import type { BackoffPolicy } from '../../jobs/index.js';

/** How outbound delivery behaves; the composition root maps `federation.delivery.*` onto it. */
export interface DeliveryOptions {
  /** Deliveries this process runs at once (0: this process does not deliver). */
  concurrency: number;
  /** Time-out of one POST, connection to end of the response headers. */
  requestTimeoutMs: number;
  /**
   * Attempts one delivery may spend while its host is considered up (a 5xx, time-out or network
   * error). Attempts made while the host is judged down (probes after a pause) are not counted:
   * the host's pause is what bounds those.
   */
  maxAttempts: number;
  /** Backoff between counted attempts (queue retries). */
  retry: BackoffPolicy;
  /** Consecutive failures after which a host is paused. */
  pauseAfterFailures: number;
  /** First pause of a host; doubles with every further failed probe, up to `pauseMaxMs`. */
  pauseBaseMs: number;
  pauseMaxMs: number;
  /** A delivery older than this is given up, however its host behaves. */
  maxAgeMs: number;
  /** Longest `Retry-After` honoured (longer ones are cut to this). */
  maxRetryAfterMs: number;
  /** Sent as `User-Agent`. */
  userAgent: string;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  concurrency: 10,
  requestTimeoutMs: 10_000,
  maxAttempts: 8,
  retry: { baseMs: 30_000, maxMs: 60 * 60_000 },
  pauseAfterFailures: 5,
  pauseBaseMs: 60_000,
  pauseMaxMs: 60 * 60_000,
  maxAgeMs: 7 * 24 * 60 * 60_000,
  maxRetryAfterMs: 60 * 60_000,
  userAgent: 'mirrortube',
};

/** The defaults overridden by whatever the caller sets; checks the values make sense. */
export function resolveDeliveryOptions(overrides: Partial<DeliveryOptions> = {}): DeliveryOptions {
  const options: DeliveryOptions = {
    ...DEFAULT_DELIVERY_OPTIONS,
    ...overrides,
    retry: { ...DEFAULT_DELIVERY_OPTIONS.retry, ...overrides.retry },
  };
  const positive = ['requestTimeoutMs', 'maxAttempts', 'pauseAfterFailures', 'pauseBaseMs', 'pauseMaxMs', 'maxAgeMs'] as const;
  for (const key of positive) {
    if (!(options[key] > 0)) throw new RangeError(`delivery: ${key} must be positive`);
  }
  if (!Number.isInteger(options.concurrency) || options.concurrency < 0) throw new RangeError('delivery: concurrency must be an integer >= 0');
  if (!Number.isInteger(options.maxAttempts)) throw new RangeError('delivery: maxAttempts must be an integer');
  if (!Number.isInteger(options.pauseAfterFailures)) throw new RangeError('delivery: pauseAfterFailures must be an integer');
  if (options.pauseMaxMs < options.pauseBaseMs) throw new RangeError('delivery: pauseMaxMs must be at least pauseBaseMs');
  if (!(options.maxRetryAfterMs >= 0)) throw new RangeError('delivery: maxRetryAfterMs must be >= 0');
  return options;
}

/**
 * How long a probe holds a host that is due to be tried again: the other deliveries for it wait
 * that long (the probe's request plus a margin) instead of all trying a host that looked dead.
 */
export function probeHoldMs(options: Pick<DeliveryOptions, 'requestTimeoutMs'>): number {
  return options.requestTimeoutMs + 5_000;
}
