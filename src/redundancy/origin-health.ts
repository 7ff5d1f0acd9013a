import type { FetchFailure, SafeFetcher } from '../federation/remote/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';

/** Our active copies, oldest first: the video (its host is the origin) and the origin's master playlist. */
export interface OriginHealthStore {
  activeCopies(): Promise<{ videoUrl: string; playlistUrl: string | null }[]>;
}

/** A failure that says the origin cannot serve at all (not that one file is missing). */
const isOutage = (reason: FetchFailure) => reason.type === 'timeout' || reason.type === 'network' || (reason.type === 'http-error' && reason.status >= 500);

/**
 * Failover: whether the origins of the videos we mirror can serve them. Each check asks every
 * origin we hold an active copy of for one mirrored video's master playlist (HEAD); an origin
 * that times out, refuses the connection or answers 5xx is down until a later check passes.
 * While an origin is down, our REST API points players at our copies (see `copyFor`).
 * Unknown hosts are presumed up: after a restart nothing changes until the first check.
 */
export function createOriginHealth(deps: { store: OriginHealthStore; clock: Clock; logger: Logger; fetcher: Pick<SafeFetcher, 'fetch'> }) {
  const down = new Map<string, { since: Date; why: string }>();
  const log = deps.logger.child({ component: 'origin-health' });

  return {
    isDown: (host: string) => down.has(host),
    /** hosts currently down, with since when and why (for the admin API and logs) */
    downHosts: () => [...down].map(([host, d]) => ({ host, since: d.since.toISOString(), why: d.why })),

    async check(): Promise<{ up: number; down: number }> {
      const copies = await deps.store.activeCopies();
      const probeUrlByHost = new Map<string, string>();
      for (const c of copies) {
        const playlistUrl = c.playlistUrl;
        const host = new URL(c.videoUrl).host;
        if (playlistUrl && !probeUrlByHost.has(host)) probeUrlByHost.set(host, playlistUrl);
      }
      for (const host of down.keys()) if (!probeUrlByHost.has(host)) down.delete(host);
      await Promise.all(
        [...probeUrlByHost].map(async ([host, url]) => {
          const res = await deps.fetcher.fetch(url, { method: 'HEAD', bypassNegativeCache: true, maxBytes: 64 * 1024 });
          if (res.ok || !isOutage(res.reason)) {
            if (down.delete(host)) log.info({ host }, 'origin reachable again: players go back to it');
            return;
          }
          if (!down.has(host)) {
            down.set(host, { since: deps.clock.now(), why: res.reason.message });
            log.warn({ host, why: res.reason.message }, 'origin unreachable: our REST API points players at our copies');
          }
        }),
      );
      return { up: probeUrlByHost.size - down.size, down: down.size };
    },
  };
}

export type OriginHealth = ReturnType<typeof createOriginHealth>;
