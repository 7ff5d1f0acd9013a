import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFileRanges } from './hash-file-ranges.js';
import { parseMediaPlaylist, segmentRangeKey } from './media-playlist.js';

/**
 * PeerTube's `segments-sha256.json`, which P2P peers and mirrors check segments against:
 * `{ "<file>-fragmented.mp4": { "<first>-<last>": "<sha256 hex>", … }, … }` with the byte range
 * of every segment of the file's playlist (the init section is not listed), first and last byte
 * inclusive, in playlist order.
 */
export type SegmentsSha256 = Record<string, Record<string, string>>;

export type SegmentsSha256Result =
  | { ok: true; segments: SegmentsSha256 }
  | { ok: false; reason: { type: 'invalid-playlist'; message: string } };

export async function computeSegmentsSha256(
  dir: string,
  renditions: readonly { playlistFilename: string; fileFilename: string }[],
): Promise<SegmentsSha256Result> {
  const segments: SegmentsSha256 = {};
  for (const { playlistFilename, fileFilename } of renditions) {
    const parsed = parseMediaPlaylist(await readFile(join(dir, playlistFilename), 'utf8'));
    if (!parsed.ok) {
      return { ok: false, reason: { type: 'invalid-playlist', message: `${playlistFilename}: ${parsed.reason.message}` } };
    }
    const ranges = [];
    for (const segment of parsed.playlist.segments) {
      if (segment.uri !== fileFilename || segment.range === null) {
        return {
          ok: false,
          reason: { type: 'invalid-playlist', message: `${playlistFilename}: segment ${segment.uri} is not a byte range of ${fileFilename}` },
        };
      }
      ranges.push(segment.range);
    }
    const hashed = await hashFileRanges(join(dir, fileFilename), ranges);
    if (!hashed.ok) return { ok: false, reason: { type: 'invalid-playlist', message: `${playlistFilename}: ${hashed.reason.message}` } };
    const byRange: Record<string, string> = {};
    ranges.forEach((range, i) => {
      byRange[segmentRangeKey(range)] = hashed.hashes[i]!;
    });
    segments[fileFilename] = byRange;
  }
  return { ok: true, segments };
}

/** The file's text: compact JSON and a final newline, as PeerTube writes it. */
export function serializeSegmentsSha256(segments: SegmentsSha256): string {
  return JSON.stringify(segments) + '\n';
}
