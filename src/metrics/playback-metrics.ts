import { Counter, Histogram, type Registry } from 'prom-client';
import { resolutionLabel, type PlaybackReport } from './playback-report.js';

/**
 * What players report through `POST /api/v1/metrics/playback` (PeerTube's player sends one every
 * few seconds with the figures since its previous report). No per-video label: the video only
 * has to exist.
 */
export function definePlaybackMetrics(registry: Registry) {
  const reports = new Counter({
    name: 'mirrortube_playback_reports_total',
    help: 'Playback reports received from players, by player mode, P2P enabled or not, and resolution played',
    labelNames: ['player_mode', 'p2p_enabled', 'resolution'],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'mirrortube_playback_bytes_total',
    help: 'Bytes players report, by direction (downloaded, uploaded) and protocol (p2p, http)',
    labelNames: ['direction', 'protocol'],
    registers: [registry],
  });
  const errors = new Counter({ name: 'mirrortube_playback_errors_total', help: 'Player errors reported', registers: [registry] });
  const stalls = new Counter({ name: 'mirrortube_playback_stalls_total', help: 'Buffer stalls reported by players', registers: [registry] });
  const resolutionChanges = new Counter({
    name: 'mirrortube_playback_resolution_changes_total',
    help: 'Resolution changes reported by players',
    registers: [registry],
  });
  const peers = new Histogram({
    name: 'mirrortube_playback_p2p_peers',
    help: 'P2P peers a player was connected to, per report (reports with P2P enabled)',
    buckets: [0, 1, 2, 3, 5, 8, 13, 20, 30, 50],
    registers: [registry],
  });

  for (const direction of ['downloaded', 'uploaded']) for (const protocol of ['p2p', 'http']) {
    if (direction === 'uploaded' && protocol === 'http') continue;
    bytes.inc({ direction, protocol }, 0);
  }
  errors.inc(0);
  stalls.inc(0);
  resolutionChanges.inc(0);

  return {
    record(report: PlaybackReport): void {
      reports.inc({ player_mode: report.playerMode, p2p_enabled: String(report.p2pEnabled), resolution: resolutionLabel(report.resolution) });
      bytes.inc({ direction: 'downloaded', protocol: 'p2p' }, report.downloadedBytesP2P);
      bytes.inc({ direction: 'downloaded', protocol: 'http' }, report.downloadedBytesHTTP);
      bytes.inc({ direction: 'uploaded', protocol: 'p2p' }, report.uploadedBytesP2P);
      errors.inc(report.errors);
      stalls.inc(report.bufferStalled ?? 0);
      resolutionChanges.inc(report.resolutionChanges);
      if (report.p2pEnabled && report.p2pPeers !== undefined) peers.observe(report.p2pPeers);
    },
  };
}

export type PlaybackMetrics = ReturnType<typeof definePlaybackMetrics>;
