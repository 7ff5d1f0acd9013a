import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { completed, skipped, type JobHandler, type JobOutcome } from '../jobs/index.js';
import type { Logger } from '../lib/logger.js';
import type { ObjectAcl, ObjectStorage } from '../storage/index.js';
import type { SeedingPort } from './ports.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import { p2pMediaLoaderInfohashes } from '../transcoding/index.js';
import { isInPrivateFolder, layoutForPrivacy, urlsForPrivacy } from './privacy-folders.js';
import type { MovedUrls, ObjectStorageStore, StoredVideoFiles } from './object-storage-store.js';
import { createObjectStorageExtras, type VideoExtras } from './object-storage-extras.js';
import type { StorageLayout } from './storage-layout.js';

/**
 * Why a move fails on a node without the files: they are on the disk of the node that transcoded the
 * video (each node has its own storage.root). The job fails for good after its attempts (minutes);
 * the files move when that node runs `mirrortube storage move`.
 */
const ELSEWHERE = ' (they are on the disk of the node that transcoded it, which may be down: run `mirrortube storage move --to object-storage` on that node once it runs again)';

/** PeerTube's job names. */
export const MOVE_TO_OBJECT_STORAGE_JOB = 'move-to-object-storage';
export const MOVE_TO_FILE_SYSTEM_JOB = 'move-to-file-system';
export type StorageMoveJobKinds = { [MOVE_TO_OBJECT_STORAGE_JOB]: { videoId: number }; [MOVE_TO_FILE_SYSTEM_JOB]: { videoId: number } };
export type StorageTarget = 'object-storage' | 'filesystem';

const payloadSchema = z.object({ videoId: z.number().int().positive() });

/**
 * Where a video's objects are: keys are the files' paths below their storage folder, so private
 * files sit under `private/` exactly as on disk (the public static routes can never reach them,
 * the private routes proxy them after the access check) and carry the private ACL.
 */
export function objectKeysOf(objects: ObjectStorage, privacy: number) {
  const base = isInPrivateFolder(privacy) ? 'private/' : '';
  return {
    acl: (isInPrivateFolder(privacy) ? 'private' : 'public') as ObjectAcl,
    hlsPrefix: (uuid: string) => `${base}${objects.hlsKey(uuid, '')}`,
    hls: (uuid: string, filename: string) => `${base}${objects.hlsKey(uuid, filename)}`,
    webVideo: (filename: string) => `${base}${objects.webVideoKey(filename)}`,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export interface StorageMoveDeps {
  objects: ObjectStorage;
  store: ObjectStorageStore;
  layout: StorageLayout;
  /** our URLs (a moved video without base_url keeps them) */
  urls: InstanceUrls;
  seeding?: SeedingPort;
  logger: Logger;
}

/**
 * Moving a local video's files between the file system and object storage (PeerTube's
 * move-to-object-storage / move-to-file-system jobs). Each move is idempotent: files are copied
 * first, then the database says where they are (with their public URLs when the bucket has a
 * base_url and the video is public), and only then the source copies are deleted; a crash at any
 * point leaves a complete set of files where the database says they are, and running the move
 * again finishes it.
 */
export function createStorageMove(deps: StorageMoveDeps) {
  const { objects, store, layout } = deps;
  const log = deps.logger.child({ component: 'storage-move' });
  const s3 = objects.store;
  const extras = createObjectStorageExtras({ objects, layout });

  function publicUrls(video: StoredVideoFiles, privacy: number): MovedUrls | null {
    if (isInPrivateFolder(privacy)) return null;
    const keys = objectKeysOf(objects, privacy);
    const url = (kind: 'streaming_playlists' | 'web_videos', key: string) => objects.publicUrl(kind, key);
    const hls = video.hls;
    const master = hls && url('streaming_playlists', keys.hls(video.uuid, hls.playlistFilename));
    const webVideos = video.webVideos.flatMap((f) => {
      const fileUrl = url('web_videos', keys.webVideo(f.filename));
      return fileUrl ? [{ id: f.id, fileUrl }] : [];
    });
    if (!master && webVideos.length === 0) return null;
    return {
      hls:
        hls && master
          ? {
              playlistUrl: master,
              segmentsSha256Url: hls.segmentsSha256Filename ? url('streaming_playlists', keys.hls(video.uuid, hls.segmentsSha256Filename)) : null,
              files: hls.files.map((f) => ({ id: f.id, fileUrl: url('streaming_playlists', keys.hls(video.uuid, f.filename))! })),
            }
          : null,
      webVideos,
    };
  }

  /** the video's torrents and images, each torrent's webseed the URL its file has under `moved` (else our route for the privacy) */
  function extrasOf(video: StoredVideoFiles, privacy: number, moved: MovedUrls | null): VideoExtras {
    const links = urlsForPrivacy(deps.urls, privacy);
    const movedUrl = new Map([...(moved?.webVideos ?? []), ...(moved?.hls?.files ?? [])].map((f) => [f.id, f.fileUrl]));
    const torrents = [
      ...video.webVideos.map((f) => ({ f, url: links.webVideo(f.filename) })),
      ...(video.hls?.files ?? []).map((f) => ({ f, url: links.hlsFile(video.uuid, f.filename) })),
    ].flatMap(({ f, url }) => (f.torrentFilename ? [{ fileId: f.id, torrentFilename: f.torrentFilename, webseed: movedUrl.get(f.id) ?? url }] : []));
    return { uuid: video.uuid, privacy, thumbnailFilename: video.thumbnailFilename, previewFilename: video.previewFilename, torrents };
  }

  /** PeerTube's swarm ids are derived from the master playlist's URL: the one players load after the move (null: no HLS) */
  function swarmIds(video: StoredVideoFiles, privacy: number, moved: MovedUrls | null): string[] | null {
    if (!video.hls) return null;
    const master = moved?.hls?.playlistUrl ?? urlsForPrivacy(deps.urls, privacy).hlsFile(video.uuid, video.hls.playlistFilename);
    return p2pMediaLoaderInfohashes(master, video.hls.files.length);
  }

  /**
   * Web videos of an older transcode (a rerun with another ladder, an upload published as is then
   * transcoded): objects named after the video (`<uuid>-…`, public or private) that its rows no
   * longer name. Their rows are gone, so nothing serves or announces them.
   */
  async function removeStaleWebVideos(video: { uuid: string; webVideos: { filename: string }[] }): Promise<void> {
    const current = new Set(video.webVideos.map((f) => f.filename));
    for (const privacy of [1, 3]) {
      const keys = objectKeysOf(objects, privacy);
      const base = keys.webVideo('');
      const stale = (await s3.list('web_videos', keys.webVideo(`${video.uuid}-`))).map((o) => o.key).filter((k) => !current.has(k.slice(base.length)));
      if (stale.length > 0) {
        await s3.remove('web_videos', stale);
        log.info({ video: video.uuid, objects: stale.length }, 'web videos of an older transcode removed from object storage');
      }
    }
  }

  /** Uploads what is on disk for the privacy; the keys written. Objects of the video's HLS folder not written now (an older transcode) are deleted. */
  async function upload(video: StoredVideoFiles, privacy: number, onBytes?: (n: number) => void): Promise<{ keys: { kind: 'streaming_playlists' | 'web_videos'; key: string }[]; localPaths: string[] }> {
    const placed = layoutForPrivacy(layout, privacy);
    const keys = objectKeysOf(objects, privacy);
    const written: { kind: 'streaming_playlists' | 'web_videos'; key: string }[] = [];
    const localPaths: string[] = [];
    if (video.hls) {
      const dir = placed.hlsDir(video.uuid);
      if (await exists(dir)) {
        const up = await objects.uploadFolder('streaming_playlists', dir, keys.hlsPrefix(video.uuid), keys.acl, onBytes);
        written.push(...up.map((u) => ({ kind: 'streaming_playlists' as const, key: u.key })));
        const now = new Set(up.map((u) => u.key));
        const stale = (await s3.list('streaming_playlists', keys.hlsPrefix(video.uuid))).map((o) => o.key).filter((k) => !now.has(k));
        await s3.remove('streaming_playlists', stale);
        localPaths.push(dir);
      } else if (!video.inObjectStorage) {
        // (on a node that did not transcode it, the transcoding node may still be moving it: retried)
        throw new Error(`video ${video.uuid}: its HLS folder ${dir} is missing on this node${ELSEWHERE}`);
      }
    }
    for (const f of video.webVideos) {
      const path = placed.webVideo(f.filename);
      if (!(await exists(path))) {
        if (!video.inObjectStorage) throw new Error(`video ${video.uuid}: its web video ${path} is missing on this node${ELSEWHERE}`);
        continue;
      }
      const key = keys.webVideo(f.filename);
      await s3.put('web_videos', key, { path }, { acl: keys.acl, contentType: 'video/mp4' });
      onBytes?.((await stat(path)).size);
      written.push({ kind: 'web_videos', key });
      localPaths.push(path);
    }
    await removeStaleWebVideos(video);
    return { keys: written, localPaths };
  }

  async function toObjectStorageNow(videoId: number, onBytes?: (n: number) => void): Promise<JobOutcome> {
    const video = await store.files(videoId);
    if (!video) return skipped('video deleted');
    if (!video.hls && video.webVideos.length === 0) return skipped('no files');
    const privacy = video.privacy;
    const { keys, localPaths } = await upload(video, privacy, onBytes);
    // torrents (their webseed now the files' URL) and images, when their kinds are enabled
    const more = await extras.upload(extrasOf(video, privacy, publicUrls(video, privacy)));
    if (keys.length + more.keys.length === 0 && video.inObjectStorage) return skipped('already in object storage');
    const committed = await store.underVideoLock(videoId, async (now, tx) => {
      // a privacy change while we uploaded moved the local files: our objects sit at the old keys
      if (isInPrivateFolder(now) !== isInPrivateFolder(privacy)) return false;
      const moved = publicUrls(video, now);
      await store.markInObjectStorage(videoId, moved, tx, swarmIds(video, now, moved), extras.urls(extrasOf(video, now, moved)));
      return true;
    });
    if (committed !== true) {
      for (const k of [...keys, ...more.keys]) await s3.remove(k.kind, [k.key]);
      if (committed === null) return skipped('video deleted');
      throw new Error('the privacy changed during the move: moved again');
    }
    // the database says "object storage" now: the local copies go (the seeder read them)
    await deps.seeding?.unseedVideo(video.uuid);
    for (const p of [...localPaths, ...more.localPaths]) await rm(p, { recursive: true, force: true });
    log.info({ video: video.uuid, objects: keys.length + more.keys.length }, 'files moved to object storage');
    return completed({ objects: keys.length + more.keys.length });
  }

  async function download(kind: 'streaming_playlists' | 'web_videos', key: string, to: string): Promise<void> {
    const body = await s3.read(kind, key);
    if (!body) throw new Error(`object ${kind}/${key} is missing`);
    await mkdir(dirname(to), { recursive: true });
    const tmp = `${to}.part`;
    await pipeline(body, createWriteStream(tmp));
    await rename(tmp, to);
  }

  /**
   * One move of a video at a time in this process: the transcoding node moves its outputs right
   * after publishing while the move job written with the publication may be claimed here too; the
   * second finds them moved. (Another node lacks the files: its attempt fails and is retried.)
   */
  const moving = new Map<number, Promise<unknown>>();
  function oneAtATime<T>(videoId: number, move: () => Promise<T>): Promise<T> {
    const next = (moving.get(videoId) ?? Promise.resolve()).catch(() => undefined).then(move);
    moving.set(videoId, next);
    const forget = () => {
      if (moving.get(videoId) === next) moving.delete(videoId);
    };
    next.then(forget, forget);
    return next;
  }
  const toObjectStorage = (videoId: number, onBytes?: (n: number) => void) => oneAtATime(videoId, () => toObjectStorageNow(videoId, onBytes));
  const toFilesystem = (videoId: number, onBytes?: (n: number) => void) => oneAtATime(videoId, () => toFilesystemNow(videoId, onBytes));

  async function toFilesystemNow(videoId: number, onBytes?: (n: number) => void): Promise<JobOutcome> {
    const video = await store.files(videoId);
    if (!video) return skipped('video deleted');
    if (!video.inObjectStorage) return skipped('already on the file system');
    const privacy = video.privacy;
    const placed = layoutForPrivacy(layout, privacy);
    const keys = objectKeysOf(objects, privacy);
    const fetched: { kind: 'streaming_playlists' | 'web_videos'; key: string }[] = [];
    if (video.hls) {
      // into a side folder, then one rename: the HLS folder is complete or absent
      const dir = placed.hlsDir(video.uuid);
      const side = `${dir}.incoming`;
      await rm(side, { recursive: true, force: true });
      const listed = await s3.list('streaming_playlists', keys.hlsPrefix(video.uuid));
      for (const o of listed) {
        await download('streaming_playlists', o.key, join(side, o.key.slice(keys.hlsPrefix(video.uuid).length)));
        onBytes?.(o.size);
        fetched.push({ kind: 'streaming_playlists', key: o.key });
      }
      if (listed.length > 0) {
        await rm(dir, { recursive: true, force: true });
        await rename(side, dir);
      }
    }
    for (const f of video.webVideos) {
      const path = placed.webVideo(f.filename);
      if (await exists(path)) continue;
      await download('web_videos', keys.webVideo(f.filename), path);
      fetched.push({ kind: 'web_videos', key: keys.webVideo(f.filename) });
    }
    const fetchedExtras = await extras.download(extrasOf(video, privacy, null));
    const committed = await store.underVideoLock(videoId, async (now, tx) => {
      if (isInPrivateFolder(now) !== isInPrivateFolder(privacy)) return false;
      await store.markOnFilesystem(videoId, tx, swarmIds(video, now, null));
      return true;
    });
    if (committed === null) return skipped('video deleted');
    if (!committed) throw new Error('the privacy changed during the move: moved again');
    await deps.seeding?.syncVideo(video.uuid);
    for (const k of [...fetched, ...fetchedExtras]) await s3.remove(k.kind, [k.key]);
    log.info({ video: video.uuid, objects: fetched.length + fetchedExtras.length }, 'files moved back to the file system');
    return completed({ objects: fetched.length + fetchedExtras.length });
  }

  /**
   * A privacy change of a video in object storage: its objects move to the keys (and ACL) of the
   * privacy now in force, then its URLs follow, then the old keys go. Idempotent.
   */
  async function relocate(videoId: number): Promise<void> {
    const video = await store.files(videoId);
    if (!video?.inObjectStorage) return;
    const target = objectKeysOf(objects, video.privacy);
    const other = objectKeysOf(objects, isInPrivateFolder(video.privacy) ? 1 : 3);
    const moved: { kind: 'streaming_playlists' | 'web_videos'; key: string }[] = [];
    if (video.hls) {
      for (const o of await s3.list('streaming_playlists', other.hlsPrefix(video.uuid))) {
        await s3.copy('streaming_playlists', o.key, target.hlsPrefix(video.uuid) + o.key.slice(other.hlsPrefix(video.uuid).length), target.acl);
        moved.push({ kind: 'streaming_playlists', key: o.key });
      }
    }
    for (const f of video.webVideos) {
      if (!(await s3.head('web_videos', other.webVideo(f.filename)))) continue;
      await s3.copy('web_videos', other.webVideo(f.filename), target.webVideo(f.filename), target.acl);
      moved.push({ kind: 'web_videos', key: other.webVideo(f.filename) });
    }
    // the torrents name the files' new URLs (and carry the new ACL in the bucket)
    await extras.retarget(extrasOf(video, video.privacy, publicUrls(video, video.privacy)));
    await store.underVideoLock(videoId, async (now, tx) => {
      const moved = publicUrls(video, now);
      await store.markInObjectStorage(videoId, moved, tx, swarmIds(video, now, moved), extras.urls(extrasOf(video, now, moved)));
    });
    for (const k of moved) await s3.remove(k.kind, [k.key]);
    if (moved.length > 0) log.info({ video: video.uuid, objects: moved.length, privacy: video.privacy }, 'objects moved for the new privacy');
  }

  /** Every object of a video being deleted (both privacy classes), its torrents and images too. */
  async function removeObjects(video: { uuid: string; webVideos: string[]; torrentFilenames?: string[]; thumbnailFilename?: string | null; previewFilename?: string | null }): Promise<void> {
    await extras.remove({ uuid: video.uuid, torrentFilenames: video.torrentFilenames ?? [], thumbnailFilename: video.thumbnailFilename ?? null, previewFilename: video.previewFilename ?? null });
    for (const privacy of [1, 3]) {
      const keys = objectKeysOf(objects, privacy);
      await s3.removePrefix('streaming_playlists', keys.hlsPrefix(video.uuid));
      await s3.remove('web_videos', video.webVideos.map((f) => keys.webVideo(f)));
      // and those of older transcodes
      await s3.removePrefix('web_videos', keys.webVideo(`${video.uuid}-`));
    }
  }

  /**
   * An input file of a transcode that lives in object storage, fetched to `to`. An original put
   * there at upload is not moved by a privacy change before its transcode: the keys of the other
   * privacy class are tried too.
   */
  async function fetchInput(video: { uuid: string; privacy: number }, input: { hlsFilename?: string; webVideo?: string }, to: string): Promise<void> {
    const keys = objectKeysOf(objects, video.privacy);
    if (!input.webVideo) return download('streaming_playlists', keys.hls(video.uuid, input.hlsFilename!), to);
    const other = objectKeysOf(objects, isInPrivateFolder(video.privacy) ? 1 : 3);
    const key = (await s3.head('web_videos', keys.webVideo(input.webVideo))) || !(await s3.head('web_videos', other.webVideo(input.webVideo))) ? keys.webVideo(input.webVideo) : other.webVideo(input.webVideo);
    await download('web_videos', key, to);
  }

  /** The original of an upload, put in the bucket before its transcode job is committed (any node may run it). */
  const originals = {
    async put(video: { uuid: string; privacy: number }, filename: string, path: string): Promise<void> {
      const keys = objectKeysOf(objects, video.privacy);
      // (an original may be another container than MP4: no content type is claimed for it)
      await s3.put('web_videos', keys.webVideo(filename), { path }, { acl: keys.acl, ...(filename.endsWith('.mp4') ? { contentType: 'video/mp4' } : {}) });
    },
    async remove(video: { uuid: string; privacy: number }, filename: string): Promise<void> {
      await s3.remove('web_videos', [objectKeysOf(objects, video.privacy).webVideo(filename)]);
    },
  };

  const handler = (move: (videoId: number) => Promise<JobOutcome>): JobHandler<{ videoId: number }> => ({
    concurrency: 2,
    maxAttempts: 5,
    parse: (raw) => payloadSchema.parse(raw),
    run: (payload) => move(payload.videoId),
  });

  /** Does this node's disk hold every file of the video (for its privacy), and is it still to be moved? */
  async function filesHere(videoId: number): Promise<boolean> {
    const video = await store.files(videoId);
    if (!video || video.inObjectStorage) return false;
    const placed = layoutForPrivacy(layout, video.privacy);
    if (video.hls && !(await exists(placed.hlsDir(video.uuid)))) return false;
    for (const f of video.webVideos) if (!(await exists(placed.webVideo(f.filename)))) return false;
    return true;
  }

  /**
   * The videos still to be moved to object storage whose files are on this node's disk: a move whose
   * job failed for good (the bucket down longer than its retries, or claimed by nodes without the
   * files) is not lost, it is found here again.
   */
  async function pendingHere(): Promise<number[]> {
    const here: number[] = [];
    for (let afterId = 0; ; ) {
      const batch = await store.toMove('object-storage', afterId, 100);
      if (batch.length === 0) return here;
      for (const videoId of batch) {
        afterId = videoId;
        if (await filesHere(videoId)) here.push(videoId);
      }
    }
  }

  return {
    pendingHere,
    /** local videos whose files are not at `to` yet (a crash half-way leaves the video here: the move runs again) */
    pending: (to: StorageTarget) => store.countToMove(to),
    nextBatch: (to: StorageTarget, afterId: number, limit: number) => store.toMove(to, afterId, limit),
    toObjectStorage,
    toFilesystem,
    relocate,
    removeObjects,
    fetchInput,
    originals,
    move: (to: StorageTarget, videoId: number, onBytes?: (n: number) => void) => (to === 'object-storage' ? toObjectStorage(videoId, onBytes) : toFilesystem(videoId, onBytes)),
    jobs: { [MOVE_TO_OBJECT_STORAGE_JOB]: handler((id) => toObjectStorage(id)), [MOVE_TO_FILE_SYSTEM_JOB]: handler((id) => toFilesystem(id)) },
  };
}

export type StorageMove = ReturnType<typeof createStorageMove>;

