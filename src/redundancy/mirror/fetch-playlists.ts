import { parseRemoteUrl } from '../../net/index.js';
import { buildCopyPlan, type CopyPlan, type FetchedVariant } from './copy-plan.js';
import type { Downloader, DownloadFailure } from './http-downloader.js';
import { filenameOfUrl, parseMasterPlaylist, resolveReference } from './hls-references.js';
import { MirrorFailed, type MirrorFailure } from './mirror-failure.js';
import { parseSegmentsSha256 } from './segments-hashes.js';

export const MAX_PLAYLIST_BYTES = 1024 * 1024;
export const MAX_SEGMENTS_SHA256_BYTES = 32 * 1024 * 1024;

/** The origin's documents of a copy, as it wrote them, and the plan made from them. */
export interface FetchedPlaylists {
  readonly playlistUrl: URL;
  readonly masterFilename: string;
  readonly segmentsSha256Filename: string;
  readonly master: Buffer;
  readonly hashes: Buffer;
  readonly variants: readonly (FetchedVariant & { readonly body: Buffer })[];
  /** bytes of the master, the variants and the hashes */
  readonly documentBytes: number;
  readonly plan: CopyPlan;
}

export interface SourceUrls {
  readonly playlistUrl: URL;
  readonly hashesUrl: URL;
  readonly masterFilename: string;
  readonly segmentsSha256Filename: string;
}

/** The source's two URLs, checked, with the file names the copy keeps. Throws MirrorFailed. */
export function sourceUrls(source: { readonly playlistUrl: string; readonly segmentsSha256Url: string }): SourceUrls {
  const playlistUrl = parseRemoteUrl(source.playlistUrl);
  if (!playlistUrl.ok) throw new MirrorFailed({ type: 'bad-playlist', message: `playlist URL: ${playlistUrl.reason.message}`, url: source.playlistUrl });
  const hashesUrl = parseRemoteUrl(source.segmentsSha256Url);
  if (!hashesUrl.ok) throw new MirrorFailed({ type: 'bad-playlist', message: `segments-sha256 URL: ${hashesUrl.reason.message}`, url: source.segmentsSha256Url });
  const masterFilename = filenameOfUrl(playlistUrl.url);
  const segmentsSha256Filename = filenameOfUrl(hashesUrl.url);
  if (masterFilename === undefined) throw new MirrorFailed({ type: 'bad-playlist', message: 'the master playlist URL does not end in a plain file name', url: playlistUrl.url.href });
  if (segmentsSha256Filename === undefined) {
    throw new MirrorFailed({ type: 'bad-playlist', message: 'the segments-sha256 URL does not end in a plain file name', url: hashesUrl.url.href });
  }
  return { playlistUrl: playlistUrl.url, hashesUrl: hashesUrl.url, masterFilename, segmentsSha256Filename };
}

/** A document that could not be fetched, as the copy's failure. */
export function documentFailure(url: string, what: string, reason: DownloadFailure): MirrorFailure {
  if (reason.type === 'aborted') return { type: 'aborted', message: reason.message };
  if (reason.type === 'disk') return reason;
  if (reason.type === 'too-large') return { type: 'bad-playlist', message: `${what} is larger than ${reason.limit} bytes`, url };
  return { type: 'fetch-failed', message: `${what}: ${reason.message}`, url, cause: reason };
}

/**
 * Phase 1: the master playlist, then its variant playlists (same origin, same folder) and
 * segments-sha256.json at once; then the plan of the media files (buildCopyPlan), refused over
 * `maxBytes`. Throws MirrorFailed.
 */
export async function fetchPlaylists(
  urls: SourceUrls,
  downloader: Downloader,
  transfer: { readonly signal: AbortSignal; readonly onBytes: (bytes: number) => void },
  maxBytes: number,
): Promise<FetchedPlaylists> {
  const { playlistUrl, hashesUrl, masterFilename, segmentsSha256Filename } = urls;
  const master = await downloader.fetchDocument(playlistUrl, { maxBytes: MAX_PLAYLIST_BYTES, ...transfer });
  if (!master.ok) throw new MirrorFailed(documentFailure(playlistUrl.href, 'master playlist', master.reason));
  const parsedMaster = parseMasterPlaylist(master.body.toString('utf8'));
  if (!parsedMaster.ok) throw new MirrorFailed({ ...parsedMaster.reason, url: playlistUrl.href });
  const variantRefs = new Map<string, { reference: (typeof parsedMaster.variants)[number]; url: URL; filename: string }>();
  for (const reference of parsedMaster.variants) {
    const resolved = resolveReference(reference.uri, playlistUrl, playlistUrl);
    if (!resolved.ok) throw new MirrorFailed(resolved.reason);
    if (!variantRefs.has(resolved.url.href)) variantRefs.set(resolved.url.href, { reference, url: resolved.url, filename: resolved.filename });
  }
  const refs = [...variantRefs.values()];
  const [hashesDoc, ...variantDocs] = await Promise.all([
    downloader.fetchDocument(hashesUrl, { maxBytes: MAX_SEGMENTS_SHA256_BYTES, ...transfer }),
    ...refs.map((v) => downloader.fetchDocument(v.url, { maxBytes: MAX_PLAYLIST_BYTES, ...transfer })),
  ]);
  if (!hashesDoc!.ok) throw new MirrorFailed(documentFailure(hashesUrl.href, 'segments-sha256.json', hashesDoc!.reason));
  const variants = refs.map((ref, i) => {
    const doc = variantDocs[i]!;
    if (!doc.ok) throw new MirrorFailed(documentFailure(ref.url.href, `playlist ${ref.filename}`, doc.reason));
    return { ...ref, text: doc.body.toString('utf8'), body: doc.body };
  });
  const hashes = parseSegmentsSha256(hashesDoc!.body.toString('utf8'));
  if (!hashes.ok) throw new MirrorFailed({ type: 'bad-playlist', message: hashes.message, url: hashesUrl.href });
  const documentBytes = master.body.length + hashesDoc!.body.length + variants.reduce((sum, v) => sum + v.body.length, 0);
  const planned = buildCopyPlan({ playlistUrl, masterFilename, segmentsSha256Filename, variants, hashes: hashes.ranges, documentBytes });
  if (!planned.ok) throw new MirrorFailed(planned.reason);
  if (planned.plan.minBytes > maxBytes) {
    throw new MirrorFailed({ type: 'too-large', message: `the copy needs at least ${planned.plan.minBytes} bytes, over the cap of ${maxBytes}`, limit: maxBytes });
  }
  return { playlistUrl, masterFilename, segmentsSha256Filename, master: master.body, hashes: hashesDoc!.body, variants, documentBytes, plan: planned.plan };
}
