import type { Clock } from '../../lib/clock.js';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** when this key's window ends */
  resetAt: number;
}

/**
 * Fixed-window counters per key (express-rate-limit's memory store, which PeerTube uses), on the
 * injected clock, in a table of at most `maxKeys` entries: when it is full, expired windows are
 * dropped first, then the oldest keys. Memory stays bounded whatever the number of clients.
 */
export function createRateWindowTable(options: { windowMs: number; max: number; clock: Clock; maxKeys?: number }) {
  const maxKeys = options.maxKeys ?? 10_000;
  // insertion order = window start order, since a key is re-inserted when its window restarts
  const windows = new Map<string, { count: number; resetAt: number }>();

  function makeRoom(now: number): void {
    for (const [key, w] of windows) {
      if (windows.size < maxKeys) return;
      if (w.resetAt <= now) windows.delete(key);
      else break; // later entries started later: none of them has expired
    }
    while (windows.size >= maxKeys) {
      const oldest = windows.keys().next();
      if (oldest.done) return;
      windows.delete(oldest.value);
    }
  }

  return {
    hit(key: string): RateDecision {
      const now = options.clock.now().getTime();
      let w = windows.get(key);
      if (!w || w.resetAt <= now) {
        if (w) windows.delete(key);
        else makeRoom(now);
        w = { count: 0, resetAt: now + options.windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      return { allowed: w.count <= options.max, limit: options.max, remaining: Math.max(0, options.max - w.count), resetAt: w.resetAt };
    },
    get size(): number {
      return windows.size;
    },
  };
}

export type RateWindowTable = ReturnType<typeof createRateWindowTable>;
