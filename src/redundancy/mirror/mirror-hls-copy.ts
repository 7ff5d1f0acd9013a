import { rm } from 'node:fs/promises';
import { commitCopy, type MirroredCopy } from './commit-copy.js';
import { assertSafeUuid } from './copy-layout.js';
import { createCopyProgress, type MirrorProgress } from './copy-progress.js';
import { writeTorrents, type CopyTorrent, type MirrorTorrentOptions } from './copy-torrents.js';
import { downloadFiles } from './download-files.js';
import { fetchPlaylists, sourceUrls } from './fetch-playlists.js';
import type { Downloader } from './http-downloader.js';
import { cancelled, MirrorFailed, type MirrorFailure } from './mirror-failure.js';
import { writeDocuments } from './write-documents.js';
import { errnoOf, prepareWorkDir } from './work-folder.js';

export type { MirrorFailure } from './mirror-failure.js';
export type { MirrorProgress } from './copy-progress.js';
export type { MirroredCopy, MirroredFile } from './commit-copy.js';
export { MAX_TORRENT_BYTES, type MirrorTorrentOptions } from './copy-torrents.js';
export { MAX_PLAYLIST_BYTES, MAX_SEGMENTS_SHA256_BYTES } from './fetch-playlists.js';

/** default size cap of one copy */
export const DEFAULT_MAX_COPY_BYTES = 64 * 1024 ** 3;

export interface MirrorSource {
  /** the origin's master playlist */
  readonly playlistUrl: string;
  readonly segmentsSha256Url: string;
  /** file name (last path segment of the file's URL) → the origin's .torrent of that file */
  readonly torrentUrls?: Readonly<Record<string, string>>;
}

export interface MirrorHlsCopyParams {
  readonly source: MirrorSource;
  readonly uuid: string;
  readonly layout: { readonly redundancyDir: string; readonly tmpDir: string };
  readonly downloader: Downloader;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: MirrorProgress) => void;
  /** every body byte downloaded for this copy (playlists, hashes, files, torrents) */
  readonly onBytes?: (bytes: number) => void;
  /** the copy may not be larger than this; default 64 GiB */
  readonly maxBytes?: number;
  /** write a .torrent next to each media file */
  readonly torrents?: MirrorTorrentOptions;
  /**
   * Continue the work folder of an earlier attempt at this uuid (a crash, a cancelled job): its
   * partial files resume with Range. Default false. Only one mirror of a uuid may run at a time.
   */
  readonly resume?: boolean;
  /** when cancelled, leave the work folder for a later `resume` (default true); any other failure removes it */
  readonly keepWorkOnAbort?: boolean;
  /** refreshing a copy: media files of this folder (the current copy) that still verify are not downloaded again */
  readonly reuseFrom?: string;
}

export type MirrorResult = { readonly ok: true; readonly copy: MirroredCopy } | { readonly ok: false; readonly reason: MirrorFailure };

/**
 * Mirrors an origin's HLS playlist (DESIGN §4), in phases:
 * 1. fetch the master and variant playlists and segments-sha256.json, and plan the media files
 *    (same origin and folder as the playlist only; every segment must be hashed) — fetch-playlists.ts;
 * 2. write the documents into a work folder with the origin's file names — write-documents.ts;
 * 3. download every fragmented mp4, verifying every hashed range and the init section as it
 *    streams — download-files.ts;
 * 4. optional .torrent files — copy-torrents.ts;
 * 5. one rename makes the copy appear at `<redundancyDir>/hls/<uuid>` — commit-copy.ts.
 * A copy is complete or absent: on failure the work folder is removed (kept only when cancelled,
 * for `resume`).
 */
export async function mirrorHlsCopy(params: MirrorHlsCopyParams): Promise<MirrorResult> {
  const { uuid, downloader, layout } = params;
  assertSafeUuid(uuid);
  const maxBytes = params.maxBytes ?? DEFAULT_MAX_COPY_BYTES;
  const controller = new AbortController();
  const outer = params.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) return { ok: false, reason: { type: 'aborted', message: 'cancelled before it started' } };
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const signal = controller.signal;
  const progress = createCopyProgress(params.onProgress, params.onBytes);
  const checkAborted = () => {
    if (signal.aborted) throw new MirrorFailed(cancelled());
  };

  let work: { dir: string; adopted: boolean } | undefined;
  try {
    const urls = sourceUrls(params.source);
    work = await prepareWorkDir(layout.tmpDir, uuid, params.resume === true);
    progress.report(true);

    const fetched = await fetchPlaylists(urls, downloader, { signal, onBytes: progress.onBytes }, maxBytes);
    progress.bytesExpected = fetched.plan.minBytes;
    progress.filesTotal = fetched.plan.files.length;
    checkAborted();

    await writeDocuments(work, fetched);

    progress.phase = 'download';
    progress.report(true);
    const downloads = await downloadFiles({
      files: fetched.plan.files,
      workDir: work.dir,
      ...(params.reuseFrom === undefined ? {} : { reuseFrom: params.reuseFrom }),
      downloader,
      controller,
      progress,
      maxBytes,
      documentBytes: fetched.documentBytes,
    });
    checkAborted();

    let torrents: ReadonlyMap<string, CopyTorrent> = new Map();
    if (params.torrents !== undefined) {
      progress.phase = 'torrents';
      progress.report(true);
      torrents = await writeTorrents({
        fetched,
        workDir: work.dir,
        uuid,
        options: params.torrents,
        torrentUrls: params.source.torrentUrls,
        downloader,
        signal,
        onBytes: progress.onBytes,
      });
    }

    progress.phase = 'move';
    checkAborted();
    const copy = await commitCopy({ workDir: work.dir, redundancyDir: layout.redundancyDir, uuid, fetched, downloads, torrents });
    progress.report(true);
    return { ok: true, copy };
  } catch (err) {
    let reason: MirrorFailure;
    if (err instanceof MirrorFailed) reason = err.reason;
    else if (errnoOf(err) !== undefined) reason = { type: 'disk', message: (err as Error).message, code: errnoOf(err)! };
    else {
      if (work !== undefined) await rm(work.dir, { recursive: true, force: true });
      throw err;
    }
    if (signal.aborted && outer?.aborted && reason.type !== 'aborted') reason = cancelled();
    const keep = reason.type === 'aborted' && params.keepWorkOnAbort !== false;
    if (work !== undefined && !keep) await rm(work.dir, { recursive: true, force: true });
    return { ok: false, reason };
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
