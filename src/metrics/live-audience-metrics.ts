import { Counter, Gauge, type Registry } from 'prom-client';

type Kind = 'origin' | 'relay';

/** What the live audience metrics read at each scrape. */
export interface LiveAudienceSources {
  /** lives running now: ours (origin) and those we relay (relay) */
  lives(): Array<{ videoId: number; uuid: string; kind: Kind }>;
  /** viewers watching now from View pings and `POST /api/v1/videos/:id/views` (PeerTube's "viewers") */
  views(videoId: number): number;
  /** players that sent a playback report (`POST /api/v1/metrics/playback`) lately */
  players(videoId: number): number;
  /** bytes of live files sent to viewers, by kind and where they were read from */
  sent(): Array<{ kind: Kind; from: 'memory' | 'disk'; bytes: number }>;
}

const KINDS: Kind[] = ['origin', 'relay'];
const SOURCES = ['views', 'playback'] as const;

/**
 * Viewers of lives (totals by kind and source, and per running live: bounded by the lives running
 * on the instance and relayed by it) and the bytes of live files served, by kind and from memory or
 * disk. Defined by the composition root, which knows the lives, the views and the player reports.
 */
export function defineLiveAudienceMetrics(registry: Registry, sources: LiveAudienceSources) {
  const read = () =>
    sources.lives().map((live) => ({ ...live, counts: { views: sources.views(live.videoId), playback: sources.players(live.videoId) } }));
  new Gauge({
    name: 'mirrortube_live_viewers',
    help: 'Viewers of the lives running now, by kind (origin: ours, relay: relayed) and source (views: View pings and view reports; playback: players reporting)',
    labelNames: ['kind', 'source'],
    registers: [registry],
    collect() {
      const lives = read();
      for (const kind of KINDS) for (const source of SOURCES) this.set({ kind, source }, lives.filter((l) => l.kind === kind).reduce((sum, l) => sum + l.counts[source], 0));
    },
  });
  new Gauge({
    name: 'mirrortube_live_viewers_by_live',
    help: 'Viewers of each live running now (its uuid), by kind and source',
    labelNames: ['video', 'kind', 'source'],
    registers: [registry],
    collect() {
      this.reset();
      for (const live of read()) for (const source of SOURCES) this.set({ video: live.uuid, kind: live.kind, source }, live.counts[source]);
    },
  });
  new Counter({
    name: 'mirrortube_live_sent_bytes_total',
    help: 'Bytes of live playlists and segments sent to viewers, by kind (origin, relay) and where they were read from (memory, disk)',
    labelNames: ['kind', 'from'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { kind, from, bytes } of sources.sent()) this.inc({ kind, from }, bytes);
    },
  });
}
