import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context, Middleware, Next } from 'koa';
import type { ObjectStorage } from '../../storage/index.js';
import { objectKeysOf } from '../../videos/object-storage-move.js';
import { isInPrivateFolder, layoutForPrivacy } from '../../videos/privacy-folders.js';
import { parseVideoRef } from '../../videos/short-uuid.js';
import type { StorageLayout } from '../../videos/storage-layout.js';
import { Problem } from '../problem.js';
import type { DownloadFile, DownloadStore, DownloadVideo } from './download-store.js';
import { checkVideoFileAccess } from './private-files-gate.js';
import { serveFile } from './serve-file.js';
import { serveObject } from './serve-object.js';

/** PeerTube's download paths of video files (DOWNLOAD_PATHS; `/download/videos/` is the older name of the web videos one). */
const WEB_VIDEO = /^\/download\/(?:web-videos|videos)\/([^/]+)-(\d+)\.([A-Za-z0-9]+)$/;
const HLS_VIDEO = /^\/download\/streaming-playlists\/hls\/videos\/([^/]+)-(\d+)-fragmented\.([A-Za-z0-9]+)$/;

/**
 * PeerTube's `/download/web-videos/:id-:resolution.:extension` and
 * `/download/streaming-playlists/hls/videos/:id-:resolution-fragmented.:extension`: the video (id,
 * uuid or short uuid) and its file of that resolution, as an attachment named after the video
 * (`<name>-<resolution>p[-hls]<ext>`), from disk or, once moved, proxied from the bucket (Range,
 * validators, bytes counted like the static routes; private files not counted, never cached).
 * Files of private, internal and password-protected videos need a video file token or a bearer
 * token that may see the video, as the private static routes. (Torrents: `/download/torrents/`
 * is a static mount.) A video's `downloadEnabled: false` is not checked, as in PeerTube (6.3 and
 * since): its download validator checks only the right to see the files, and its allow filter
 * refuses only through a plugin; the flag tells clients to hide their download button.
 */
export function downloadRoutes(deps: {
  store: DownloadStore;
  layout: StorageLayout;
  objectStorage: ObjectStorage | null;
  access: Parameters<typeof checkVideoFileAccess>[2];
  /** the static routes' byte counters (path below the mount) */
  onBytesSent: { webVideos(n: number, relativePath: string): void; hls(n: number, relativePath: string): void };
}): Middleware {
  return async (ctx: Context, next: Next) => {
    const web = WEB_VIDEO.exec(ctx.path);
    const hls = web ? null : HLS_VIDEO.exec(ctx.path);
    const match = web ?? hls;
    if (!match || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const ref = parseVideoRef(match[1]!);
    const video = ref && (await deps.store.byRef(ref));
    if (!video?.isLocal) throw new Problem(404, 'Video not found');
    const isPrivate = isInPrivateFolder(video.privacy);
    if (isPrivate) await checkVideoFileAccess(ctx, video, deps.access);
    const resolution = Number(match[2]);
    const file = (web ? video.webVideos : video.hlsFiles).find((f) => f.resolution === resolution);
    if (!file) throw new Problem(404, 'Video file not found');

    ctx.attachment(`${video.name.replace(/[/\\]/g, '_')}-${resolution}p${hls ? '-hls' : ''}${file.extname}`);
    const count = isPrivate ? undefined : web ? (n: number) => deps.onBytesSent.webVideos(n, file.filename) : (n: number) => deps.onBytesSent.hls(n, `${video.uuid}/${file.filename}`);
    const options = { ...(isPrivate ? { cacheControl: 'private, no-store' } : {}), onBytesSent: count };
    const path = onDisk(deps.layout, video, file, !!web);
    if (await isFile(path)) {
      const served = await serveFile(ctx, path, options);
      if (served.ok) return;
    }
    if (!deps.objectStorage) throw new Problem(404, 'Video file not found');
    const keys = objectKeysOf(deps.objectStorage, video.privacy);
    const store = deps.objectStorage.store;
    const kind = web ? 'web_videos' : 'streaming_playlists';
    const key = web ? keys.webVideo(file.filename) : keys.hls(video.uuid, file.filename);
    ctx.respond = false;
    const status = await serveObject(ctx.req, ctx.res, { head: () => store.head(kind, key), read: (_k, start, end) => store.read(kind, key, { start, end }) }, key, options);
    if (status === null) {
      ctx.respond = true;
      throw new Problem(404, 'Video file not found');
    }
    ctx.status = status;
  };
}

function onDisk(layout: StorageLayout, video: DownloadVideo, file: DownloadFile, web: boolean): string {
  const placed = layoutForPrivacy(layout, video.privacy);
  return web ? placed.webVideo(file.filename) : join(placed.hlsDir(video.uuid), file.filename);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
