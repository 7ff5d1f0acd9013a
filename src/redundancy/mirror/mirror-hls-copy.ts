import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../lib/clock.js';
import { parseRemoteUrl } from '../../net/index.js';
import { buildCopyPlan, type FetchedVariant, type PlannedFile } from './copy-plan.js';
import { assertSafeUuid, copyDir, mirrorFileUrl, torrentFilenameFor } from './copy-layout.js';
import { filenameOfUrl, parseMasterPlaylist, resolveReference } from './hls-references.js';
import type { ChunkObserver, DownloadFailure, Downloader } from './http-downloader.js';
import { captureInitSection } from './init-section.js';
import { buildMirrorTorrent } from './mirror-torrent.js';
import { createRangeVerifier } from './range-verifier.js';
import { reuseVerifiedFile } from './reuse-file.js';
import { parseSegmentsSha256 } from './segments-hashes.js';
import type { MirrorFailure } from './mirror-failure.js';

export type { MirrorFailure } from './mirror-failure.js';
import { errnoOf, folderBytes, moveIntoPlace, prepareWorkDir } from './work-folder.js';

export const MAX_PLAYLIST_BYTES = 1024 * 1024;
export const MAX_SEGMENTS_SHA256_BYTES = 32 * 1024 * 1024;
export const MAX_TORRENT_BYTES = 8 * 1024 * 1024;
/** default size cap of one copy */
export const DEFAULT_MAX_COPY_BYTES = 64 * 1024 ** 3;

export interface MirrorSource {
  /** the origin's master playlist */
  readonly playlistUrl: string;
  readonly segmentsSha256Url: string;
  /** file name (last path segment of the file's URL) → the origin's .torrent of that file */
  readonly torrentUrls?: Readonly<Record<string, string>>;
}

export interface MirrorTorrentOptions {
  /** this instance's public base URL (`http(s)://host[:port]`): webseed of the copy */
  readonly ourBaseUrl: string;
  /** our tracker, e.g. buildAnnounceList(buildTrackerUrls(base)) */
  readonly announceList: readonly (readonly string[])[];
  /** `creation date` of the torrents */
  readonly clock: Clock;
  readonly createdBy?: string;
  /** `info.name` of a torrent we create (the origin's name is kept when its info dict is reused); default the file name */
  readonly name?: (file: { readonly filename: string; readonly resolution?: number }) => string;
}

export interface MirrorProgress {
  readonly phase: 'playlists' | 'download' | 'torrents' | 'move';
  readonly bytesDone: number;
  /** lower bound of the copy's size, known once the playlists are read */
  readonly bytesExpected?: number;
  readonly filesDone: number;
  readonly filesTotal: number;
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

export interface MirroredFile {
  readonly filename: string;
  readonly size: number;
  readonly resolution?: number;
  /** the origin's URL of the file */
  readonly url: string;
  /** every verified range: `<first>-<last>` → sha256 hex */
  readonly sha256Ranges: Readonly<Record<string, string>>;
  /** where the download started (bytes already in a resumed work folder) */
  readonly resumedFrom: number;
  readonly torrent?: {
    readonly filename: string;
    readonly infoHash: string;
    readonly source: 'origin-info' | 'created';
    readonly note?: string;
  };
}

export interface MirroredCopy {
  /** `<redundancyDir>/hls/<uuid>` */
  readonly dir: string;
  readonly files: readonly MirroredFile[];
  /** every variant playlist, by its origin file name */
  readonly playlists: readonly { readonly filename: string; readonly resolution?: number }[];
  /** bytes of everything in the copy (playlists, hashes, media, torrents) */
  readonly totalBytes: number;
  /** the master playlist's file name (the origin's) */
  readonly playlistFilename: string;
  readonly segmentsSha256Filename: string;
}

export type MirrorResult = { readonly ok: true; readonly copy: MirroredCopy } | { readonly ok: false; readonly reason: MirrorFailure };

class Failed extends Error {
  constructor(readonly reason: MirrorFailure) {
    super(reason.message);
  }
}

function documentFailure(url: string, what: string, reason: DownloadFailure): MirrorFailure {
  if (reason.type === 'aborted') return { type: 'aborted', message: reason.message };
  if (reason.type === 'disk') return reason;
  if (reason.type === 'too-large') return { type: 'bad-playlist', message: `${what} is larger than ${reason.limit} bytes`, url };
  return { type: 'fetch-failed', message: `${what}: ${reason.message}`, url, cause: reason };
}

/**
 * Mirrors an origin's HLS playlist (DESIGN §4): master and variant playlists, segments-sha256.json,
 * then every fragmented mp4 the variants use (same origin and folder as the playlist only), into a
 * work folder with the origin's file names; every hashed range is verified as it streams, every
 * segment must be hashed, every init section must be a whole ftyp+moov at the start of its file;
 * optional .torrent files; then one rename makes the copy appear at `<redundancyDir>/hls/<uuid>`.
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

  let bytesDone = 0;
  let bytesExpected: number | undefined;
  let filesDone = 0;
  let filesTotal = 0;
  let lastReported = 0;
  let phase: MirrorProgress['phase'] = 'playlists';
  const report = (force: boolean) => {
    if (params.onProgress === undefined) return;
    if (!force && bytesDone - lastReported < 4 * 1024 * 1024) return;
    lastReported = bytesDone;
    params.onProgress({ phase, bytesDone, ...(bytesExpected === undefined ? {} : { bytesExpected }), filesDone, filesTotal });
  };
  const onBytes = (n: number) => {
    params.onBytes?.(n);
    bytesDone += n;
    report(false);
  };
  const checkAborted = () => {
    if (signal.aborted) throw new Failed({ type: 'aborted', message: 'the mirror was cancelled' });
  };

  let work: { dir: string; adopted: boolean } | undefined;
  try {
    const playlistUrl = parseRemoteUrl(params.source.playlistUrl);
    if (!playlistUrl.ok) throw new Failed({ type: 'bad-playlist', message: `playlist URL: ${playlistUrl.reason.message}`, url: params.source.playlistUrl });
    const hashesUrl = parseRemoteUrl(params.source.segmentsSha256Url);
    if (!hashesUrl.ok) throw new Failed({ type: 'bad-playlist', message: `segments-sha256 URL: ${hashesUrl.reason.message}`, url: params.source.segmentsSha256Url });
    const masterFilename = filenameOfUrl(playlistUrl.url);
    const segmentsSha256Filename = filenameOfUrl(hashesUrl.url);
    if (masterFilename === undefined) throw new Failed({ type: 'bad-playlist', message: 'the master playlist URL does not end in a plain file name', url: playlistUrl.url.href });
    if (segmentsSha256Filename === undefined) {
      throw new Failed({ type: 'bad-playlist', message: 'the segments-sha256 URL does not end in a plain file name', url: hashesUrl.url.href });
    }

    work = await prepareWorkDir(layout.tmpDir, uuid, params.resume === true);
    report(true);

    // 1. master playlist → variant playlists (same origin, same folder) and the hashes
    const master = await downloader.fetchDocument(playlistUrl.url, { maxBytes: MAX_PLAYLIST_BYTES, signal, onBytes });
    if (!master.ok) throw new Failed(documentFailure(playlistUrl.url.href, 'master playlist', master.reason));
    const parsedMaster = parseMasterPlaylist(master.body.toString('utf8'));
    if (!parsedMaster.ok) throw new Failed({ ...parsedMaster.reason, url: playlistUrl.url.href });
    const variantRefs = new Map<string, { reference: (typeof parsedMaster.variants)[number]; url: URL; filename: string }>();
    for (const reference of parsedMaster.variants) {
      const resolved = resolveReference(reference.uri, playlistUrl.url, playlistUrl.url);
      if (!resolved.ok) throw new Failed(resolved.reason);
      if (!variantRefs.has(resolved.url.href)) variantRefs.set(resolved.url.href, { reference, url: resolved.url, filename: resolved.filename });
    }
    const [hashesDoc, ...variantDocs] = await Promise.all([
      downloader.fetchDocument(hashesUrl.url, { maxBytes: MAX_SEGMENTS_SHA256_BYTES, signal, onBytes }),
      ...[...variantRefs.values()].map((v) => downloader.fetchDocument(v.url, { maxBytes: MAX_PLAYLIST_BYTES, signal, onBytes })),
    ]);
    if (!hashesDoc!.ok) throw new Failed(documentFailure(hashesUrl.url.href, 'segments-sha256.json', hashesDoc!.reason));
    const variants: (FetchedVariant & { body: Buffer })[] = [];
    [...variantRefs.values()].forEach((ref, i) => {
      const doc = variantDocs[i]!;
      if (!doc.ok) throw new Failed(documentFailure(ref.url.href, `playlist ${ref.filename}`, doc.reason));
      variants.push({ ...ref, text: doc.body.toString('utf8'), body: doc.body });
    });
    const hashes = parseSegmentsSha256(hashesDoc!.body.toString('utf8'));
    if (!hashes.ok) throw new Failed({ type: 'bad-playlist', message: hashes.message, url: hashesUrl.url.href });
    const documentBytes = master.body.length + hashesDoc!.body.length + variants.reduce((sum, v) => sum + v.body.length, 0);
    const planned = buildCopyPlan({
      playlistUrl: playlistUrl.url,
      masterFilename,
      segmentsSha256Filename,
      variants,
      hashes: hashes.ranges,
      documentBytes,
    });
    if (!planned.ok) throw new Failed(planned.reason);
    const { plan } = planned;
    if (plan.minBytes > maxBytes) {
      throw new Failed({ type: 'too-large', message: `the copy needs at least ${plan.minBytes} bytes, over the cap of ${maxBytes}`, limit: maxBytes });
    }
    bytesExpected = plan.minBytes;
    filesTotal = plan.files.length;
    checkAborted();

    // 2. the work folder: documents as the origin wrote them; in an adopted folder, only partial
    //    media files of the same hashes are kept
    const mediaNames = new Set(plan.files.map((f) => f.filename));
    if (work.adopted) {
      const previousHashes = await readFile(join(work.dir, segmentsSha256Filename)).catch(() => undefined);
      const sameHashes = previousHashes !== undefined && previousHashes.equals(hashesDoc!.body);
      for (const name of await readdir(work.dir)) {
        if (!sameHashes || !mediaNames.has(name)) await rm(join(work.dir, name), { recursive: true, force: true });
      }
    }
    const workDir = work.dir;
    await Promise.all([
      writeFile(join(workDir, segmentsSha256Filename), hashesDoc!.body),
      writeFile(join(workDir, masterFilename), master.body),
      ...variants.map((variant) => writeFile(join(workDir, variant.filename), variant.body)),
    ]);

    // 3. media files, verified while they stream; the first failure cancels the others
    phase = 'download';
    report(true);
    let writtenTotal = documentBytes;
    let firstFailure: MirrorFailure | undefined;
    const fail = (reason: MirrorFailure) => {
      if (firstFailure === undefined || (firstFailure.type === 'aborted' && reason.type !== 'aborted')) firstFailure = reason;
      controller.abort(new Failed(reason));
    };
    const downloadOne = async (file: PlannedFile) => {
      const path = join(work!.dir, file.filename);
      const reused = params.reuseFrom === undefined ? null : await reuseVerifiedFile(params.reuseFrom, work!.dir, file);
      if (reused !== null) {
        writtenTotal += reused;
        filesDone++;
        return { size: reused, resumedFrom: reused };
      }
      const verifier = createRangeVerifier(file.ranges);
      const init = file.init === undefined ? undefined : captureInitSection(file.init.length);
      let refusal: MirrorFailure | undefined;
      let written = 0; // bytes of this file seen so far
      const observer: ChunkObserver = {
        restart: () => {
          verifier.restart();
          init?.restart();
          writtenTotal -= written;
          written = 0;
        },
        update: (chunk, offset) => {
          const end = offset + chunk.length;
          writtenTotal += end - written;
          written = end;
          if (writtenTotal > maxBytes) {
            refusal = { type: 'too-large', message: `the copy grew past its cap of ${maxBytes} bytes`, limit: maxBytes };
            return { ok: false, message: refusal.message };
          }
          init?.update(chunk, offset);
          const verdict = verifier.update(chunk, offset);
          if (!verdict.ok) {
            refusal = { type: 'hash-mismatch', message: `${file.filename}: ${verdict.message}`, file: file.filename, range: verdict.range };
            return { ok: false, message: refusal.message };
          }
          return verdict;
        },
      };
      const result = await downloader.downloadFile(file.url, path, { maxBytes: maxBytes - documentBytes, signal, onBytes, observer });
      if (!result.ok) {
        const reason = result.reason;
        if (reason.type === 'rejected' && refusal !== undefined) return fail(refusal);
        if (reason.type === 'aborted') return fail({ type: 'aborted', message: 'the mirror was cancelled' });
        if (reason.type === 'disk') return fail(reason);
        if (reason.type === 'too-large') return fail({ type: 'too-large', message: `${file.filename}: ${reason.message}`, limit: maxBytes });
        return fail({ type: 'fetch-failed', message: `${file.filename}: ${reason.message}`, url: file.url.href, cause: reason });
      }
      const verdict = verifier.finish(result.size);
      if (!verdict.ok) {
        return fail({ type: 'hash-mismatch', message: `${file.filename}: ${verdict.message}`, file: file.filename, range: verdict.range });
      }
      if (file.init !== undefined && init !== undefined) {
        const checked = init.check();
        if (!checked.ok) {
          const range = `0-${file.init.length - 1}`;
          return fail({ type: 'hash-mismatch', message: `${file.filename}: init section ${range}: ${checked.message}`, file: file.filename, range });
        }
      }
      filesDone++;
      report(true);
      return { size: result.size, resumedFrom: result.resumedFrom };
    };
    const downloads = await Promise.all(
      plan.files.map((file) =>
        downloadOne(file).catch((err: unknown) => {
          const code = errnoOf(err);
          if (code === undefined) throw err;
          return fail({ type: 'disk', message: `${file.filename}: ${(err as Error).message}`, code });
        }),
      ),
    );
    if (firstFailure !== undefined) throw new Failed(firstFailure);
    checkAborted();

    // 4. torrents
    const torrents = new Map<string, MirroredFile['torrent']>();
    if (params.torrents !== undefined) {
      phase = 'torrents';
      report(true);
      const options = params.torrents;
      const taken = new Set([masterFilename, segmentsSha256Filename, ...variants.map((v) => v.filename), ...mediaNames]);
      for (const file of plan.files) {
        checkAborted();
        let torrentName = torrentFilenameFor(file.filename);
        if (taken.has(torrentName)) torrentName = `${file.filename}.torrent`;
        taken.add(torrentName);
        let originTorrent: Buffer | undefined;
        let note: string | undefined;
        const torrentUrl = params.source.torrentUrls?.[file.filename];
        if (torrentUrl !== undefined) {
          const fetched = await downloader.fetchDocument(torrentUrl, { maxBytes: MAX_TORRENT_BYTES, signal, onBytes });
          if (fetched.ok) originTorrent = fetched.body;
          else if (fetched.reason.type === 'aborted') throw new Failed({ type: 'aborted', message: 'the mirror was cancelled' });
          else note = `the origin's torrent could not be fetched: ${fetched.reason.message}`;
        }
        const built = await buildMirrorTorrent({
          filePath: join(work.dir, file.filename),
          fileSize: (await stat(join(work.dir, file.filename))).size,
          name: options.name?.(file) ?? file.filename,
          urlList: [mirrorFileUrl(options.ourBaseUrl, uuid, file.filename), file.url.href],
          announceList: options.announceList,
          createdBy: options.createdBy ?? 'mirrortube',
          creationDate: options.clock.now(),
          ...(originTorrent === undefined ? {} : { originTorrent }),
        });
        await writeFile(join(work.dir, torrentName), built.torrent);
        const why = built.note ?? note;
        torrents.set(file.filename, { filename: torrentName, infoHash: built.infoHash, source: built.source, ...(why === undefined ? {} : { note: why }) });
      }
    }

    // 5. complete: one rename makes it visible
    phase = 'move';
    checkAborted();
    const totalBytes = await folderBytes(work.dir);
    await moveIntoPlace(work.dir, layout.redundancyDir, uuid);
    report(true);
    const files: MirroredFile[] = plan.files.map((file, i) => {
      const download = downloads[i] as { size: number; resumedFrom: number };
      const torrent = torrents.get(file.filename);
      return {
        filename: file.filename,
        size: download.size,
        ...(file.resolution === undefined ? {} : { resolution: file.resolution }),
        url: file.url.href,
        sha256Ranges: Object.fromEntries(file.ranges.map((r) => [r.key, r.sha256])),
        resumedFrom: download.resumedFrom,
        ...(torrent === undefined ? {} : { torrent }),
      };
    });
    return {
      ok: true,
      copy: {
        dir: copyDir(layout.redundancyDir, uuid),
        files,
        playlists: variants.map((v) => {
          const resolution = v.reference.resolution;
          return { filename: v.filename, ...(resolution === undefined ? {} : { resolution }) };
        }),
        totalBytes,
        playlistFilename: masterFilename,
        segmentsSha256Filename,
      },
    };
  } catch (err) {
    let reason: MirrorFailure;
    if (err instanceof Failed) reason = err.reason;
    else if (errnoOf(err) !== undefined) reason = { type: 'disk', message: (err as Error).message, code: errnoOf(err)! };
    else {
      if (work !== undefined) await rm(work.dir, { recursive: true, force: true });
      throw err;
    }
    if (signal.aborted && outer?.aborted && reason.type !== 'aborted') reason = { type: 'aborted', message: 'the mirror was cancelled' };
    const keep = reason.type === 'aborted' && params.keepWorkOnAbort !== false;
    if (work !== undefined && !keep) await rm(work.dir, { recursive: true, force: true });
    return { ok: false, reason };
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
