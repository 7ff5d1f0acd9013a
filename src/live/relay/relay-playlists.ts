/**
 * What a relay reads in a live's playlists (pure): the files a playlist refers to, whether it has
 * ended, its target duration. A relay serves the origin's playlists byte for byte, so it relays
 * only lives whose playlists refer to their files by bare relative names (PeerTube's and our live
 * layout: `0.m3u8`, `0-init-<session>.mp4`, `0-<n>.mp4`).
 */

/**
 * A bare file name: no scheme, no folder, no query (what a relay may write and serve). `%` is
 * allowed: ffmpeg 5.1 writes its fMP4 init section literally as `%v-init-<n>.mp4` (it does not
 * expand `%v` there) and lists it so; a relay stores the origin's name as it is.
 */
const SAFE_NAME = /^[A-Za-z0-9%][A-Za-z0-9%._-]{0,199}$/;

/** The URL path segment of a file name (the name is the file's literal name at the origin). */
export const relayNameToUrl = (name: string): string => encodeURIComponent(name);

export const isSafeRelayName = (name: string): boolean => SAFE_NAME.test(name) && !name.includes('..');

export interface ParsedPlaylist {
  /** the variant playlists (master) or the media segments, in order */
  uris: string[];
  /** EXT-X-MAP init sections (media playlists) */
  maps: string[];
  /** #EXT-X-ENDLIST: the live has ended */
  ended: boolean;
  /** #EXT-X-TARGETDURATION in seconds, null when absent (master playlists) */
  targetDuration: number | null;
  /** #EXT-X-MEDIA-SEQUENCE, null when absent (0 by the HLS rules) */
  mediaSequence: number | null;
  /** segment → when it ended at the origin (epoch ms: its #EXT-X-PROGRAM-DATE-TIME plus its #EXTINF), when given */
  segmentEnds: Record<string, number>;
}

export type PlaylistRefusal = { type: 'not-a-playlist' } | { type: 'absolute-uri'; uri: string };

/** Reads a playlist; refuses one that is not HLS or that refers to a file other than by a bare name. */
export function parseRelayPlaylist(text: string): { ok: true; value: ParsedPlaylist } | { ok: false; reason: PlaylistRefusal } {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') return { ok: false, reason: { type: 'not-a-playlist' } };
  const uris: string[] = [];
  const maps: string[] = [];
  let ended = false;
  let targetDuration: number | null = null;
  let mediaSequence: number | null = null;
  const segmentEnds: Record<string, number> = {};
  let programDate: number | null = null;
  let duration: number | null = null;
  for (const line of lines) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (line === '#EXT-X-ENDLIST') ended = true;
      if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
        const at = Date.parse(line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
        programDate = Number.isFinite(at) ? at : null;
      }
      const extinf = /^#EXTINF:(\d+(?:\.\d+)?)/.exec(line);
      if (extinf) duration = Number(extinf[1]);
      const target = /^#EXT-X-TARGETDURATION:(\d+(?:\.\d+)?)$/.exec(line);
      if (target) targetDuration = Number(target[1]);
      const sequence = /^#EXT-X-MEDIA-SEQUENCE:(\d+)$/.exec(line);
      if (sequence) mediaSequence = Number(sequence[1]);
      // every URI attribute (EXT-X-MAP, EXT-X-MEDIA, EXT-X-PART, EXT-X-PRELOAD-HINT, ...)
      for (const m of line.matchAll(/URI="([^"]*)"/g)) {
        const uri = m[1]!;
        if (!isSafeRelayName(uri)) return { ok: false, reason: { type: 'absolute-uri', uri: uri.slice(0, 200) } };
        if (line.startsWith('#EXT-X-MAP:')) maps.push(uri);
        else uris.push(uri);
      }
      continue;
    }
    if (!isSafeRelayName(line)) return { ok: false, reason: { type: 'absolute-uri', uri: line.slice(0, 200) } };
    uris.push(line);
    if (programDate !== null && duration !== null) segmentEnds[line] = programDate + duration * 1000;
    // the next segment's date follows from this one when the playlist does not repeat it
    programDate = programDate !== null && duration !== null ? programDate + duration * 1000 : null;
    duration = null;
  }
  return { ok: true, value: { uris, maps, ended, targetDuration, mediaSequence, segmentEnds } };
}

/** How often a relay polls a live's playlists: about half a segment, between 250 ms and 3 s. */
export function relayPollMs(targetDurationSeconds: number | null): number {
  if (targetDurationSeconds === null || !Number.isFinite(targetDurationSeconds) || targetDurationSeconds <= 0) return 1000;
  return Math.min(3000, Math.max(250, Math.round((targetDurationSeconds * 1000) / 2)));
}

/**
 * The files of the folder to delete after a round: those no current playlist refers to and that
 * the previous round's playlists did not list either (a player that read the previous playlist
 * may still ask for them). Playlists and the hash list are never deleted here.
 */
export function filesToPrune(stored: Iterable<string>, current: ReadonlySet<string>, previous: ReadonlySet<string>): string[] {
  return [...stored].filter((name) => !current.has(name) && !previous.has(name));
}
