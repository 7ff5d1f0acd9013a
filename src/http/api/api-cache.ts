import type { Clock } from '../../lib/clock.js';

/**
 * The tables the cached answers show: a committed write to any of them (by any code, through the
 * database client's write watch) drops every cached answer.
 */
export const API_CACHE_TABLES = ['Video', 'VideoFile', 'VideoStreamingPlaylist', 'VideoRedundancy', 'VideoFileRedundancy', 'VideoChannel', 'Account', 'Actor', 'User'] as const;

export interface ApiCacheSettings {
  enabled: boolean;
  /** ms an answer is kept at most (a safety net: writes invalidate at once) */
  ttl: number;
  max_entries: number;
}

/**
 * A short in-memory cache of anonymous read answers (`cache.api`). Entries belong to a generation;
 * `invalidate()` (called after every committed write to API_CACHE_TABLES) starts a new one, so an
 * answer read before a write can never be served after it: a reader notes the generation before its
 * query (`begin()`) and stores under it; an entry of an older generation is never returned.
 */
export interface ApiCache {
  /** the generation to pass to `set` (take it before reading the database) */
  begin(): number;
  get<T>(key: string): T | undefined;
  set(key: string, generation: number, value: unknown): void;
  invalidate(): void;
  /**
   * The answer of `key`: the cached one, or the one `load` reads (kept when it says so). Misses of
   * one key share one load, within a generation (a request that comes after a write never joins a
   * load begun before it). An answer past its ttl with no write since is given once more while a
   * single load replaces it: the ttl of a busy key ending costs no request a wait (the ttl only
   * bounds what a write of another process could leave; this process's writes drop answers at once).
   */
  through<T>(key: string, load: () => Promise<{ value: T; keep: boolean }>): Promise<T>;
  /** for the database's write watch */
  readonly watch: { tables: readonly string[]; onCommitted(): void };
  readonly enabled: boolean;
}

interface Entry {
  generation: number;
  expires: number;
  value: unknown;
}

export function createApiCache(settings: ApiCacheSettings, clock: Clock): ApiCache {
  let generation = 0;
  const entries = new Map<string, Entry>();
  /** loads in flight, of the current generation */
  const loading = new Map<string, Promise<unknown>>();
  const invalidate = () => {
    generation++;
    entries.clear();
    loading.clear();
  };
  const set = (key: string, at: number, value: unknown) => {
    // read before a write that has committed since: not stored
    if (!settings.enabled || at !== generation) return;
    if (!entries.has(key) && entries.size >= settings.max_entries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(key, { generation: at, expires: clock.now().getTime() + settings.ttl, value });
  };
  function startLoad<T>(key: string, load: () => Promise<{ value: T; keep: boolean }>): Promise<T> {
    const at = generation;
    const forget = () => {
      if (loading.get(key) === promise) loading.delete(key);
    };
    const promise = load().then(
      ({ value, keep }) => {
        forget();
        if (keep) set(key, at, value);
        // no longer to be kept (made private, say): the answer past its ttl goes too
        else if (entries.get(key)?.generation === at) entries.delete(key);
        return value;
      },
      (err: unknown) => {
        forget();
        if (entries.get(key)?.generation === at) entries.delete(key);
        throw err;
      },
    );
    loading.set(key, promise);
    return promise;
  }
  return {
    enabled: settings.enabled,
    begin: () => generation,
    get<T>(key: string): T | undefined {
      if (!settings.enabled) return undefined;
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.generation !== generation || entry.expires <= clock.now().getTime()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value as T;
    },
    set,
    async through<T>(key: string, load: () => Promise<{ value: T; keep: boolean }>): Promise<T> {
      if (!settings.enabled) return (await load()).value;
      const entry = entries.get(key);
      if (entry && entry.generation === generation) {
        if (entry.expires <= clock.now().getTime() && !loading.has(key)) {
          // refreshed in the background; its failure is the next reader's (the entry is gone by then)
          startLoad(key, load).catch(() => undefined);
        }
        return entry.value as T;
      }
      return (loading.get(key) as Promise<T> | undefined) ?? startLoad(key, load);
    },
    invalidate,
    watch: { tables: API_CACHE_TABLES, onCommitted: invalidate },
  };
}

/** A cache that keeps nothing (tests and tools that build routers without one). */
export const noApiCache: ApiCache = createApiCache({ enabled: false, ttl: 0, max_entries: 1 }, { now: () => new Date(0) });
