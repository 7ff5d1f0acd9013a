import type { Clock } from '../../lib/clock.js';

/** Waits for a duration; injected so tests move virtual time instead of sleeping. */
export interface Timer {
  /** resolves after `ms`; rejects with the signal's reason when it aborts first */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemTimer: Timer = {
  wait: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface TokenBucketOptions {
  /** the sustained rate; must be > 0 */
  readonly bytesPerSecond: number;
  /** how many bytes may pass at once after a quiet period; default one second's worth (at least 64 KiB) */
  readonly burstBytes?: number;
  readonly clock: Clock;
  readonly timer: Timer;
}

/**
 * A token bucket shared by every download: `take(n)` lets n bytes through now if the bucket holds
 * them, otherwise it reserves them (the balance goes negative) and waits until the rate has paid
 * the debt. Reservations are served in the order they were made, so concurrent downloads share the
 * rate; the bytes let through in any interval t are at most `burst + rate × t`.
 */
export interface TokenBucket {
  /** Reserves n bytes and returns how long (ms) the caller must wait before sending them. Pure bookkeeping. */
  reserve(bytes: number): number;
  /** reserve() then wait on the timer */
  take(bytes: number, signal?: AbortSignal): Promise<void>;
  /** tokens now (negative while in debt) */
  balance(): number;
}

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const rate = options.bytesPerSecond;
  if (!(rate > 0)) throw new RangeError('bytesPerSecond must be > 0');
  const capacity = options.burstBytes ?? Math.max(rate, 64 * 1024);
  let tokens = capacity;
  let last = options.clock.now().getTime();

  const refill = () => {
    const now = options.clock.now().getTime();
    if (now > last) {
      tokens = Math.min(capacity, tokens + ((now - last) * rate) / 1000);
      last = now;
    }
  };

  const reserve = (bytes: number): number => {
    refill();
    tokens -= bytes;
    return tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / rate);
  };

  return {
    reserve,
    async take(bytes, signal) {
      const ms = reserve(bytes);
      if (ms > 0) await options.timer.wait(ms, signal);
    },
    balance() {
      refill();
      return tokens;
    },
  };
}
