/**
 * Parser of an HLS media playlist (RFC 8216), enough for PeerTube's VOD playlists: one file
 * addressed by byte ranges, its init section in `#EXT-X-MAP:URI="…",BYTERANGE="len@offset"` and
 * each segment in `#EXT-X-BYTERANGE:len[@offset]` + `#EXTINF`. Pure; also used to check mirrored
 * copies.
 */

export interface ByteRange {
  /** First byte. */
  offset: number;
  /** Number of bytes. */
  length: number;
}

export interface MediaSegment {
  uri: string;
  /** EXTINF duration, seconds. */
  duration: number;
  /** Sub-range of `uri`, or null for the whole resource. */
  range: ByteRange | null;
}

export interface MediaPlaylist {
  version: number | null;
  targetDuration: number | null;
  playlistType: string | null;
  endList: boolean;
  /** Initialisation section (fMP4 `ftyp`+`moov`), if any. */
  map: { uri: string; range: ByteRange | null } | null;
  segments: MediaSegment[];
}

export type ParsePlaylistResult =
  | { ok: true; playlist: MediaPlaylist }
  | { ok: false; reason: { type: 'invalid-playlist'; message: string } };

function fail(line: number, message: string): ParsePlaylistResult {
  return { ok: false, reason: { type: 'invalid-playlist', message: `line ${line}: ${message}` } };
}

const byteRangePattern = /^(\d+)(?:@(\d+))?$/;

/** Parses `len[@offset]`; `offset` null when absent. */
function parseByteRangeText(text: string): { length: number; offset: number | null } | null {
  const match = byteRangePattern.exec(text.trim());
  if (!match) return null;
  const length = Number(match[1]);
  const offset = match[2] === undefined ? null : Number(match[2]);
  if (!Number.isSafeInteger(length) || (offset !== null && !Number.isSafeInteger(offset))) return null;
  return { length, offset };
}

/** Attribute list of a tag (`KEY=value,KEY="quoted, value"`). */
function parseAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (const match of text.matchAll(pattern)) {
    const raw = match[2] ?? '';
    attributes.set(match[1]!, raw.startsWith('"') ? raw.slice(1, -1) : raw);
  }
  return attributes;
}

export function parseMediaPlaylist(text: string): ParsePlaylistResult {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== '#EXTM3U') return fail(1, 'missing #EXTM3U header');

  const playlist: MediaPlaylist = { version: null, targetDuration: null, playlistType: null, endList: false, map: null, segments: [] };
  let pendingDuration: number | null = null;
  let pendingRange: { length: number; offset: number | null } | null = null;
  /** End of the previous sub-range of each resource, for ranges without an offset. */
  const nextOffset = new Map<string, number>();

  for (let i = 1; i < lines.length; i++) {
    const lineNumber = i + 1;
    const line = lines[i]!.trim();
    if (line === '') continue;

    if (line.startsWith('#')) {
      const colon = line.indexOf(':');
      const tag = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1);
      switch (tag) {
        case '#EXT-X-VERSION':
          playlist.version = Number.parseInt(value, 10);
          break;
        case '#EXT-X-TARGETDURATION':
          playlist.targetDuration = Number.parseInt(value, 10);
          break;
        case '#EXT-X-PLAYLIST-TYPE':
          playlist.playlistType = value;
          break;
        case '#EXT-X-ENDLIST':
          playlist.endList = true;
          break;
        case '#EXTINF': {
          const duration = Number.parseFloat(value.split(',')[0] ?? '');
          if (!Number.isFinite(duration) || duration < 0) return fail(lineNumber, `invalid EXTINF ${JSON.stringify(value)}`);
          pendingDuration = duration;
          break;
        }
        case '#EXT-X-BYTERANGE': {
          const range = parseByteRangeText(value);
          if (range === null) return fail(lineNumber, `invalid byte range ${JSON.stringify(value)}`);
          pendingRange = range;
          break;
        }
        case '#EXT-X-MAP': {
          const attributes = parseAttributes(value);
          const uri = attributes.get('URI');
          if (!uri) return fail(lineNumber, 'EXT-X-MAP without URI');
          const rangeText = attributes.get('BYTERANGE');
          let range: ByteRange | null = null;
          if (rangeText !== undefined) {
            const parsed = parseByteRangeText(rangeText);
            if (parsed === null) return fail(lineNumber, `invalid EXT-X-MAP byte range ${JSON.stringify(rangeText)}`);
            range = { offset: parsed.offset ?? 0, length: parsed.length };
          }
          playlist.map = { uri, range };
          break;
        }
        default:
          // Other tags (EXT-X-MEDIA-SEQUENCE, EXT-X-INDEPENDENT-SEGMENTS, comments) do not matter here.
          break;
      }
      continue;
    }

    // A URI line closes a segment.
    if (pendingDuration === null) return fail(lineNumber, `segment ${JSON.stringify(line)} without EXTINF`);
    let range: ByteRange | null = null;
    if (pendingRange !== null) {
      const offset = pendingRange.offset ?? nextOffset.get(line);
      if (offset === undefined) return fail(lineNumber, `byte range without offset and no previous range of ${JSON.stringify(line)}`);
      range = { offset, length: pendingRange.length };
      nextOffset.set(line, offset + pendingRange.length);
    }
    playlist.segments.push({ uri: line, duration: pendingDuration, range });
    pendingDuration = null;
    pendingRange = null;
  }

  return { ok: true, playlist };
}

/** Key of a byte range in PeerTube's segments-sha256.json: first and last byte, inclusive. */
export function segmentRangeKey(range: ByteRange): string {
  return `${range.offset}-${range.offset + range.length - 1}`;
}
