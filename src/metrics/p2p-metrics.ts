import { Counter, Gauge, type Registry } from 'prom-client';

/** What the tracker reports on scrape (p2p/tracker.ts `stats()`). */
export interface TrackerFigures {
  torrents: number;
  seeders: number;
  leechers: number;
  peers: number;
}

/** What the seeder reports on scrape (p2p/seeder.ts `stats()`). */
export interface SeederFigures {
  torrents: number;
  peers: { bittorrent: number; webrtc: number };
}

export const TRACKER_ANNOUNCE_EVENTS = ['started', 'completed', 'stopped', 'update', 'paused'] as const;
export const TRACKER_PROTOCOLS = ['http', 'ws'] as const;

/** Tracker and seeder figures, read from their `stats()` on each scrape, and tracker announces. */
export function defineP2pMetrics(registry: Registry) {
  let tracker: (() => TrackerFigures) | undefined;
  let seeder: (() => SeederFigures) | undefined;

  new Gauge({
    name: 'mirrortube_tracker_swarms',
    help: 'Swarms (torrents with at least one peer) known to our tracker',
    registers: [registry],
    collect() {
      if (tracker) this.set(tracker().torrents);
    },
  });
  new Gauge({
    name: 'mirrortube_tracker_peers',
    help: 'Peers in our tracker\'s swarms, by state (seeder, leecher); a peer in two swarms counts twice',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!tracker) return;
      const stats = tracker();
      this.set({ state: 'seeder' }, stats.seeders);
      this.set({ state: 'leecher' }, stats.leechers);
    },
  });
  const announces = new Counter({
    name: 'mirrortube_tracker_announces_total',
    help: 'Announces accepted by our tracker, by protocol (http, ws) and event (started, completed, stopped, update, paused)',
    labelNames: ['protocol', 'event'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'mirrortube_tracker_refused_requests_total',
    help: 'Tracker requests refused (unknown infohash on a private tracker, malformed requests)',
    registers: [registry],
  });

  new Gauge({
    name: 'mirrortube_seeder_torrents',
    help: 'Torrents our server-side seeder is seeding',
    registers: [registry],
    collect() {
      if (seeder) this.set(seeder().torrents);
    },
  });
  new Gauge({
    name: 'mirrortube_seeder_peers',
    help: 'Peers connected to our seeder, by protocol (bittorrent: TCP and uTP; webrtc: browsers)',
    labelNames: ['protocol'],
    registers: [registry],
    collect() {
      if (!seeder) return;
      const stats = seeder();
      this.set({ protocol: 'bittorrent' }, stats.peers.bittorrent);
      this.set({ protocol: 'webrtc' }, stats.peers.webrtc);
    },
  });

  for (const protocol of TRACKER_PROTOCOLS) for (const event of TRACKER_ANNOUNCE_EVENTS) announces.inc({ protocol, event }, 0);

  return {
    setTrackerSource(source: () => TrackerFigures): void {
      tracker = source;
    },
    setSeederSource(source: () => SeederFigures): void {
      seeder = source;
    },
    /** An accepted announce; unknown events are counted as `update`. */
    announce(protocol: 'http' | 'ws' | 'udp', event: string | undefined): void {
      const known = (TRACKER_ANNOUNCE_EVENTS as readonly string[]).includes(event ?? '') ? (event as string) : 'update';
      announces.inc({ protocol: protocol === 'ws' ? 'ws' : 'http', event: known });
    },
    refused(): void {
      refused.inc();
    },
  };
}

export type P2pMetrics = ReturnType<typeof defineP2pMetrics>;
