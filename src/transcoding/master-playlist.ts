import { AUDIO_ONLY_RESOLUTION } from './resolutions.js';

export interface MasterPlaylistEntry {
  playlistFilename: string;
  resolution: number;
  width: number;
  height: number;
  fps: number;
  /** bit/s, see `hlsBandwidth`. */
  bandwidth: number;
  /** RFC 6381 codec strings, video first. */
  codecs: readonly string[];
}

/**
 * PeerTube's master playlist: one `#EXT-X-STREAM-INF` per rendition, lowest resolution first.
 * An audio-only rendition is left out (a player could pick it and show no picture) unless it is
 * the only one. Byte for byte what PeerTube 6.3 writes when there are no captions.
 */
export function buildMasterPlaylist(entries: readonly MasterPlaylistEntry[]): string {
  const sorted = [...entries].sort((a, b) => a.resolution - b.resolution);
  const streams: string[] = [];
  for (const entry of sorted) {
    const audioOnly = entry.resolution === AUDIO_ONLY_RESOLUTION;
    if (audioOnly && sorted.length > 1) continue;
    let line = `#EXT-X-STREAM-INF:BANDWIDTH=${entry.bandwidth}`;
    if (!audioOnly) line += `,RESOLUTION=${entry.width}x${entry.height}`;
    if (entry.fps) line += `,FRAME-RATE=${entry.fps}`;
    line += `,CODECS="${entry.codecs.filter((c) => c !== '').join(',')}"`;
    streams.push(line, entry.playlistFilename);
  }
  return ['#EXTM3U', '#EXT-X-VERSION:3', '', '', ...streams].join('\n') + '\n';
}

/**
 * PeerTube's BANDWIDTH: the file's average bit rate over the video's duration in whole seconds
 * (the file size itself when the duration rounds to 0).
 */
export function hlsBandwidth(fileSize: number, durationSeconds: number): number {
  const duration = Math.round(durationSeconds);
  if (!duration) return fileSize;
  return Math.ceil((fileSize * 8) / duration);
}
