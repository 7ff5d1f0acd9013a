import { Counter, Gauge, type Registry } from 'prom-client';

/** What the live metrics read at each scrape. */
export interface LiveMetricSources {
  /** publishers streaming now */
  publishers(): number;
  /** local lives by PeerTube state (4 waiting, 1 live, 5 ended) */
  livesByState(): Promise<Record<number, number>>;
}

const STATE_LABELS: Record<number, string> = { 1: 'live', 4: 'waiting', 5: 'ended' };

/**
 * Lives: by state, publishers, refused publishes by reason, sessions ended (and how), segments
 * produced. Defined on the instance's registry by the live area.
 */
export function defineLiveMetrics(registry: Registry, sources: LiveMetricSources) {
  new Gauge({
    name: 'mirrortube_live_publishers',
    help: 'RTMP publishers streaming now',
    registers: [registry],
    collect() {
      this.set(sources.publishers());
    },
  });
  new Gauge({
    name: 'mirrortube_lives',
    help: 'Local lives by state (waiting, live, ended)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await sources.livesByState();
      for (const [id, label] of Object.entries(STATE_LABELS)) this.set({ state: label }, counts[Number(id)] ?? 0);
    },
  });
  const refused = new Counter({ name: 'mirrortube_live_publish_refused_total', help: 'RTMP publishes refused, by reason', labelNames: ['reason'], registers: [registry] });
  const sessions = new Counter({ name: 'mirrortube_live_sessions_total', help: 'Live sessions ended, by outcome (ok, or the PeerTube error)', labelNames: ['outcome'], registers: [registry] });
  // every series exists from the start (a dashboard query of an unseen label set would return nothing)
  for (const reason of ['unknown-key', 'already-live', 'instance-limit', 'user-limit', 'disabled', 'bad-path', 'error']) refused.inc({ reason }, 0);
  for (const outcome of ['ok', 'error-1', 'error-2', 'error-3', 'error-4', 'error-5']) sessions.inc({ outcome }, 0);
  const segments = new Counter({ name: 'mirrortube_live_segments_total', help: 'Live HLS segments produced (hashed and listed)', registers: [registry] });
  return {
    refused: (reason: string) => refused.inc({ reason }),
    sessionEnded: (outcome: string) => sessions.inc({ outcome }),
    segment: () => segments.inc(),
  };
}

export type LiveMetrics = ReturnType<typeof defineLiveMetrics>;
