import { Counter, Histogram, type Registry } from 'prom-client';
import { resolutionLabel, type PlaybackReport } from './playback-report.js';

/** A player counts as watching for this long after its report (PeerTube's player reports every 15 s). */
export const PLAYER_REPORT_WINDOW_MS = 60_000;
/** players remembered at most (beyond, new ones are not tracked) */
const MAX_PLAYERS = 100_000;

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

  // players reporting now, by video (viewers of lives): reporter → epoch ms of its last report
  const players = new Map<number, Map<string, number>>();
  let tracked = 0;

  return {
    /** `seen`: which video (its id) and player (an opaque key) reported, and when (epoch ms) */
    record(report: PlaybackReport, seen?: { videoId: number; reporter: string; at: number }): void {
      if (seen) {
        let reporters = players.get(seen.videoId);
        if (!reporters) players.set(seen.videoId, (reporters = new Map()));
        if (reporters.has(seen.reporter) || tracked < MAX_PLAYERS) {
          if (!reporters.has(seen.reporter)) tracked++;
          reporters.set(seen.reporter, seen.at);
        }
      }
      reports.inc({ player_mode: report.playerMode, p2p_enabled: String(report.p2pEnabled), resolution: resolutionLabel(report.resolution) });
      bytes.inc({ direction: 'downloaded', protocol: 'p2p' }, report.downloadedBytesP2P);
      bytes.inc({ direction: 'downloaded', protocol: 'http' }, report.downloadedBytesHTTP);
      bytes.inc({ direction: 'uploaded', protocol: 'p2p' }, report.uploadedBytesP2P);
      errors.inc(report.errors);
      stalls.inc(report.bufferStalled ?? 0);
      resolutionChanges.inc(report.resolutionChanges);
      if (report.p2pEnabled && report.p2pPeers !== undefined) peers.observe(report.p2pPeers);
    },
    /** players of a video that reported within the window before `now` (epoch ms) */
    players(videoId: number, now: number): number {
      let count = 0;
      for (const at of players.get(videoId)?.values() ?? []) if (at > now - PLAYER_REPORT_WINDOW_MS) count++;
      return count;
    },
    /** forgets players silent for the window (called on scrape) */
    expire(now: number): void {
      for (const [videoId, reporters] of players) {
        for (const [reporter, at] of reporters) {
          if (at > now - PLAYER_REPORT_WINDOW_MS) continue;
          reporters.delete(reporter);
          tracked--;
        }
        if (reporters.size === 0) players.delete(videoId);
      }
    },
  };
}

export type PlaybackMetrics = ReturnType<typeof definePlaybackMetrics>;
