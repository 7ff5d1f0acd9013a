import { parseMediaPlaylist, segmentRangeKey, type ByteRange } from '../../transcoding/index.js';
import { resolutionFromFilename, resolveReference, type ReferenceRefusal, type VariantReference } from './hls-references.js';
import type { HashedRange } from './segments-hashes.js';

/** A variant playlist of the master, fetched. */
export interface FetchedVariant {
  readonly reference: VariantReference;
  readonly url: URL;
  readonly filename: string;
  readonly text: string;
}

/** One media file to download, with every hashed range it must match. */
export interface PlannedFile {
  readonly filename: string;
  readonly url: URL;
  readonly resolution?: number;
  /** from segments-sha256.json, sorted by offset */
  readonly ranges: readonly HashedRange[];
  /** the init section (EXT-X-MAP) inside this file: not hashed by PeerTube, checked by structure */
  readonly init?: ByteRange;
  /** the file is at least this long (the end of its last range or init section) */
  readonly minSize: number;
}

export interface CopyPlan {
  readonly files: readonly PlannedFile[];
  /** lower bound of the copy's size: playlists + hashes + every media file's `minSize` */
  readonly minBytes: number;
}

export type CopyPlanResult = { readonly ok: true; readonly plan: CopyPlan } | { readonly ok: false; readonly reason: ReferenceRefusal };

export interface CopyPlanInput {
  readonly playlistUrl: URL;
  readonly masterFilename: string;
  readonly segmentsSha256Filename: string;
  readonly variants: readonly FetchedVariant[];
  /** parsed segments-sha256.json: file name → ranges */
  readonly hashes: ReadonlyMap<string, readonly HashedRange[]>;
  /** bytes of the playlists and the hashes file (counted in `minBytes`) */
  readonly documentBytes: number;
}

const bad = (message: string, url?: string): CopyPlanResult => ({
  ok: false,
  reason: { type: 'bad-playlist', message, ...(url === undefined ? {} : { url }) },
});

/**
 * Pure: from the fetched playlists and hashes, which media files to download and what each must
 * match. Refuses (bad-playlist) what a complete, verifiable copy cannot be made of: a segment that
 * is not a byte range, a segment range the hashes do not list, a hashed file no playlist uses, an
 * init section that does not start its file or overlaps a segment, URLs off the playlist's origin
 * or folder, and two different URLs that would land on one file name.
 */
export function buildCopyPlan(input: CopyPlanInput): CopyPlanResult {
  const { playlistUrl } = input;
  /** every file name of the copy → the URL it comes from */
  const names = new Map<string, string>([
    [input.masterFilename, playlistUrl.href],
    [input.segmentsSha256Filename, `segments-sha256:${input.segmentsSha256Filename}`],
  ]);
  if (input.masterFilename === input.segmentsSha256Filename) return bad(`the master playlist and the hashes share the name ${input.masterFilename}`);
  for (const variant of input.variants) {
    const previous = names.get(variant.filename);
    if (previous !== undefined && previous !== variant.url.href) return bad(`two files would be named ${variant.filename}`, variant.url.href);
    names.set(variant.filename, variant.url.href);
  }

  interface Building {
    filename: string;
    url: URL;
    resolution?: number;
    segmentKeys: Set<string>;
    init?: ByteRange;
    initEnd: number;
  }
  const files = new Map<string, Building>();

  const addFile = (reference: string, variant: FetchedVariant): Building | CopyPlanResult => {
    const resolved = resolveReference(reference, variant.url, playlistUrl);
    if (!resolved.ok) return { ok: false, reason: { ...resolved.reason, message: `${variant.filename}: ${resolved.reason.message}` } };
    const existing = files.get(resolved.filename);
    if (existing !== undefined) {
      if (existing.url.href !== resolved.url.href) return bad(`two files would be named ${resolved.filename}`, resolved.url.href);
      return existing;
    }
    const owner = names.get(resolved.filename);
    if (owner !== undefined) return bad(`${variant.filename}: ${resolved.filename} is both a playlist and a media file`, resolved.url.href);
    names.set(resolved.filename, resolved.url.href);
    const resolution = resolutionFromFilename(resolved.filename) ?? variant.reference.resolution;
    const building: Building = {
      filename: resolved.filename,
      url: resolved.url,
      ...(resolution === undefined ? {} : { resolution }),
      segmentKeys: new Set(),
      initEnd: 0,
    };
    files.set(resolved.filename, building);
    return building;
  };
  const isFailure = (value: Building | CopyPlanResult): value is CopyPlanResult => 'ok' in value;

  for (const variant of input.variants) {
    if (variant.reference.mediaType === 'SUBTITLES' || variant.reference.mediaType === 'CLOSED-CAPTIONS') {
      return bad(`${variant.filename}: ${variant.reference.mediaType} renditions are not mirrored (nothing to verify them against)`);
    }
    const parsed = parseMediaPlaylist(variant.text);
    if (!parsed.ok) return bad(`${variant.filename}: ${parsed.reason.message}`, variant.url.href);
    const { playlist } = parsed;
    if (!playlist.endList) return bad(`${variant.filename}: no #EXT-X-ENDLIST (a live or unfinished playlist)`, variant.url.href);
    if (playlist.segments.length === 0) return bad(`${variant.filename}: no segment`, variant.url.href);

    if (playlist.map !== null) {
      const file = addFile(playlist.map.uri, variant);
      if (isFailure(file)) return file;
      if (playlist.map.range === null) return bad(`${variant.filename}: the init section has no byte range`, file.url.href);
      if (playlist.map.range.offset !== 0) return bad(`${variant.filename}: the init section does not start ${file.filename}`, file.url.href);
      if (playlist.map.range.length <= 0) return bad(`${variant.filename}: empty init section`, file.url.href);
      if (file.init !== undefined && file.init.length !== playlist.map.range.length) {
        return bad(`${file.filename}: two playlists disagree on its init section`, file.url.href);
      }
      file.init = playlist.map.range;
      file.initEnd = playlist.map.range.length;
    }
    for (const segment of playlist.segments) {
      const file = addFile(segment.uri, variant);
      if (isFailure(file)) return file;
      if (segment.range === null) return bad(`${variant.filename}: segment of ${file.filename} without a byte range`, file.url.href);
      if (segment.range.length <= 0) return bad(`${variant.filename}: empty segment range in ${file.filename}`, file.url.href);
      file.segmentKeys.add(segmentRangeKey(segment.range));
    }
  }

  for (const name of input.hashes.keys()) {
    if (!files.has(name)) return bad(`segments-sha256.json lists ${name}, which no playlist uses`);
  }

  const planned: PlannedFile[] = [];
  let minBytes = input.documentBytes;
  for (const file of files.values()) {
    const ranges = input.hashes.get(file.filename) ?? [];
    const listed = new Set(ranges.map((r) => r.key));
    for (const key of file.segmentKeys) {
      if (!listed.has(key)) return bad(`segment ${key} of ${file.filename} is not in segments-sha256.json: it could not be verified`, file.url.href);
    }
    if (file.segmentKeys.size === 0 && ranges.length === 0) return bad(`${file.filename} is only an init section`, file.url.href);
    const first = ranges[0];
    if (file.init !== undefined && first !== undefined && first.offset < file.init.length) {
      return bad(`${file.filename}: the init section overlaps the hashed range ${first.key}`, file.url.href);
    }
    const minSize = Math.max(file.initEnd, ...ranges.map((r) => r.offset + r.length));
    minBytes += minSize;
    planned.push({
      filename: file.filename,
      url: file.url,
      ...(file.resolution === undefined ? {} : { resolution: file.resolution }),
      ranges,
      ...(file.init === undefined ? {} : { init: file.init }),
      minSize,
    });
  }
  return { ok: true, plan: { files: planned, minBytes } };
}
