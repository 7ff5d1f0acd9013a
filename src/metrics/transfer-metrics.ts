import { Counter, Gauge, type Registry } from 'prom-client';

/** One origin host's seeding ratio, as exported (only hosts we downloaded something from). */
export interface HostRatio {
  originHost: string;
  ratio: number;
}

/**
 * Bytes moved for videos, by direction (served | downloaded), protocol (http | bittorrent |
 * webrtc), kind (local | mirror) and origin host (our host for local videos; bounded, see
 * host-labels.ts), plus the seeding ratio per origin host, read on scrape.
 */
export function defineTransferMetrics(registry: Registry) {
  const bytes = new Counter({
    name: 'mirrortube_transfer_bytes_total',
    help: 'Video bytes served and downloaded, by direction (served, downloaded), protocol (http, bittorrent, webrtc), kind (local, mirror) and origin host; persisted across restarts',
    labelNames: ['direction', 'protocol', 'kind', 'origin_host'],
    registers: [registry],
  });

  let ratioSource: () => Iterable<HostRatio> = () => [];
  new Gauge({
    name: 'mirrortube_seeding_ratio',
    help: 'Seeding ratio per origin host: bytes served divided by bytes downloaded to build the copies (absent while nothing was downloaded)',
    labelNames: ['origin_host'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { originHost, ratio } of ratioSource()) this.set({ origin_host: originHost }, ratio);
    },
  });

  const staticBytes = new Counter({
    name: 'mirrortube_static_sent_bytes_total',
    help: 'Bytes sent by the static file server, by mount (streaming-playlists, web-videos, redundancy, torrents, thumbnails, previews)',
    labelNames: ['mount'],
    registers: [registry],
  });

  return {
    bytes,
    staticBytes,
    /** Where the ratio gauge reads its values on each scrape. */
    setRatioSource(source: () => Iterable<HostRatio>): void {
      ratioSource = source;
    },
  };
}

export type TransferMetrics = ReturnType<typeof defineTransferMetrics>;
