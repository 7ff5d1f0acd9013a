import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Live relay (a mirror relaying remote lives): relays running, segments and bytes relayed, segments
 * refused for a hash mismatch, where relays pull from (the origin, another relay), and the relay lag (segment end at the origin → served here).
 */
export function defineLiveRelayMetrics(registry: Registry) {
  const relays = new Gauge({ name: 'mirrortube_live_relays', help: 'Remote lives relayed now', registers: [registry] });
  const segments = new Counter({ name: 'mirrortube_live_relay_segments_total', help: 'Live segments relayed (verified against the origin hash list, then served)', registers: [registry] });
  const bytes = new Counter({ name: 'mirrortube_live_relay_bytes_total', help: 'Bytes of live segments relayed', registers: [registry] });
  const mismatches = new Counter({ name: 'mirrortube_live_relay_hash_mismatches_total', help: 'Live segments refused: their bytes do not match the origin hash list', registers: [registry] });
  const lag = new Histogram({
    name: 'mirrortube_live_relay_lag_seconds',
    help: 'From a segment end at the origin (its program date time plus duration) to served by the relay',
    buckets: [0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 13, 21],
    registers: [registry],
  });
  const sources = new Gauge({ name: 'mirrortube_live_relay_sources', help: 'Remote lives relayed now, by where they are pulled from (origin, or another relay while the origin fails)', labelNames: ['source'] as const, registers: [registry] });
  relays.set(0);
  sources.set({ source: 'origin' }, 0);
  sources.set({ source: 'relay' }, 0);
  return {
    relays: (count: number) => relays.set(count),
    sources: (counts: { origin: number; relay: number }) => {
      sources.set({ source: 'origin' }, counts.origin);
      sources.set({ source: 'relay' }, counts.relay);
    },
    segment: (n: number, lagMs: number) => {
      segments.inc();
      bytes.inc(n);
      lag.observe(lagMs / 1000);
    },
    mismatch: () => mismatches.inc(),
  };
}

export type LiveRelayMetrics = ReturnType<typeof defineLiveRelayMetrics>;
