/** Exponential backoff between attempts of a failing job. */
export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Upper bound of the delay. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 60 * 60_000 };

/**
 * Delay before the next attempt once `attempts` attempts have failed (1 → baseMs,
 * 2 → 2·baseMs, 3 → 4·baseMs, …), capped at maxMs.
 */
export function backoffDelayMs(attempts: number, policy: BackoffPolicy): number {
  const base = Math.max(0, policy.baseMs);
  const max = Math.max(0, policy.maxMs);
  const exponent = Math.max(0, Math.floor(attempts) - 1);
  // 2^exponent overflows to Infinity long after any sane cap; Math.min handles that.
  return Math.min(max, base * 2 ** exponent);
}

/** When the next attempt may run. */
export function nextRunAt(now: Date, attempts: number, policy: BackoffPolicy): Date {
  return new Date(now.getTime() + backoffDelayMs(attempts, policy));
}
