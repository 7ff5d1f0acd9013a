import type { Clock } from '../../lib/clock.js';

/** Remembers recent failures for a short time, so a dead or hostile URL is not fetched again at once. */
export interface NegativeCache<R> {
  get(key: string): R | undefined;
  set(key: string, reason: R): void;
  readonly size: number;
}

export function createNegativeCache<R>(options: { clock: Clock; ttlMs: number; maxEntries?: number }): NegativeCache<R> {
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { reason: R; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (options.clock.now().getTime() >= entry.expiresAt) {
        entries.delete(key);
        return undefined;
      }
      return entry.reason;
    },
    set(key, reason) {
      if (options.ttlMs <= 0) return;
      entries.delete(key);
      entries.set(key, { reason, expiresAt: options.clock.now().getTime() + options.ttlMs });
      // Map keeps insertion order: the first keys are the oldest entries.
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
