import { createHash } from 'node:crypto';
import type { Clock } from '../lib/clock.js';

/**
 * The WebSocket tracker's infohashes of our player's swarms. p2p-media-loader 2 announces, per
 * variant of a master playlist, `btoa(sha1("v2-<swarmId>-main-<variant id>")[0..15])` (20 ASCII
 * bytes), the variant id being `btoa(sha1(<bandwidth>-<codecs>-<width>-<height>-…))` over the
 * variant's attributes as hls.js parses them. The private tracker cannot derive them from its
 * stored (PeerTube) swarm ids, so the pages register the swarms of the videos they serve.
 */

const VIDEO_CODEC = /^(avc[13]|hvc1|hev1|dvh[1e]|vp0[89]|av01)/i;

const sha1Binary = (text: string): string => createHash('sha1').update(text, 'utf8').digest().toString('latin1');
const btoaLatin1 = (binary: string) => Buffer.from(binary, 'latin1').toString('base64');

/** hls.js's parsing of an attribute list (`KEY=value,KEY="quoted, value"`). */
function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return out;
}

/** p2p-media-loader's `generateStreamShortId` for a main (video) stream. */
export function streamShortId(v: { bitrate: number; codecs?: string; width?: number; height?: number; frameRate?: string; videoRange?: string }): string {
  const codecs = !v.codecs
    ? ''
    : v.codecs
        .split(',')
        .map((raw) => {
          const c = raw.trim().toLowerCase();
          const parts = c.split('.');
          if (parts.length === 3 && (parts[0] === 'avc1' || parts[0] === 'avc')) {
            const profile = parseInt(parts[1]!, 10);
            const level = parseInt(parts[2]!, 10);
            if (!isNaN(profile) && !isNaN(level) && parts[1] === String(profile) && parts[2] === String(level)) {
              return `${parts[0]}.${profile.toString(16).padStart(2, '0')}00${level.toString(16).padStart(2, '0')}`;
            }
          }
          return c;
        })
        .sort()
        .join(',');
  const frameRate = v.frameRate && !isNaN(Number(v.frameRate)) ? String(Number(v.frameRate)) : '';
  const videoRange = v.videoRange ? v.videoRange.toUpperCase().trim() : '';
  const width = v.width ?? '';
  const height = v.height ?? '';
  return btoaLatin1(sha1Binary(`${v.bitrate}-${codecs}-${width}-${height}----${frameRate}-${videoRange}`));
}

/** The variants of a master playlist as hls.js reads them for p2p-media-loader (no bandwidth: only the bandwidth counts). */
export function masterVariants(master: string) {
  const lines = master.split(/\r?\n/);
  const variants: Parameters<typeof streamShortId>[0][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    const attrs = parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length));
    const resolution = /^(\d+)x(\d+)$/.exec(attrs.RESOLUTION ?? '');
    const videoCodecs = (attrs.CODECS ?? '').split(/[ ,]+/).filter((c) => c && VIDEO_CODEC.test(c));
    const bitrate = Number(attrs.BANDWIDTH ?? 0) || Number(attrs['AVERAGE-BANDWIDTH'] ?? 0);
    if (bitrate === 0) {
      variants.push({ bitrate });
      continue;
    }
    variants.push({
      bitrate,
      ...(videoCodecs.length ? { codecs: videoCodecs.map((c) => c.split('/')[0]).join(',') } : {}),
      ...(resolution ? { width: Number(resolution[1]), height: Number(resolution[2]) } : {}),
      ...(attrs['FRAME-RATE'] ? { frameRate: attrs['FRAME-RATE'] } : {}),
      ...(attrs['VIDEO-RANGE'] ? { videoRange: attrs['VIDEO-RANGE'] } : {}),
    });
  }
  return variants;
}

/** The hex infohashes (as the tracker sees them) of the player's swarms for one master playlist. */
export function playerSwarmInfohashes(swarmId: string, master: string): string[] {
  return masterVariants(master).map((v) => {
    const hash = btoaLatin1(sha1Binary(`v2-${swarmId}-main-${streamShortId(v)}`).slice(0, 15));
    return Buffer.from(hash, 'latin1').toString('hex');
  });
}

export interface PlayerSwarms {
  /** admits these infohashes for `ttlMs` from now (a page of their video was served) */
  register(infoHashes: readonly string[]): void;
  admits(infoHash: string): boolean;
}

/** In memory, bounded: entries expire `ttlMs` after the last page that registered them. */
export function createPlayerSwarms(options: { clock: Clock; ttlMs?: number; max?: number }): PlayerSwarms {
  const ttl = options.ttlMs ?? 24 * 3600_000;
  const max = options.max ?? 100_000;
  const until = new Map<string, number>();
  return {
    register(infoHashes) {
      const expires = options.clock.now().getTime() + ttl;
      for (const h of infoHashes) {
        until.delete(h);
        until.set(h, expires);
      }
      // oldest registrations go first
      while (until.size > max) until.delete(until.keys().next().value!);
    },
    admits(infoHash) {
      const expires = until.get(infoHash);
      if (expires === undefined) return false;
      if (expires < options.clock.now().getTime()) {
        until.delete(infoHash);
        return false;
      }
      return true;
    },
  };
}
