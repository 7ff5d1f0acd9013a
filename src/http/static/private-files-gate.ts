import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Context } from 'koa';
import type { Auth, AuthState } from '../auth.js';
import { videoAccess } from '../../videos/video-access.js';
import type { AccessVideo, VideoAccessStore } from '../../videos/video-access-store.js';
import type { VideoFileTokens } from '../../videos/video-file-tokens.js';
import { Problem } from '../problem.js';
import type { StaticResponder } from './static-router.js';
import { reinjectVideoFileToken } from './reinject-video-file-token.js';
import { serveBuffer } from './serve-buffer.js';

/**
 * PeerTube's check on the private static folders (`/static/streaming-playlists/hls/private/<uuid>/…`,
 * `/static/web-videos/private/<file>`): the request names its video (the uuid folder, or the web
 * video's file name) and must carry a video file token of that video (`?videoFileToken=`) or a
 * bearer token of a user who may see it (owner, moderators, administrators; any user for internal
 * videos). Nothing at all → 403; an unknown video or a wrong file token → 403; an invalid bearer
 * token → 401; a user who may not see the video → 403. HLS playlists asked with
 * `reinjectVideoFileToken=true` come back with the token added to every URI they name.
 */
/** The file token (`?videoFileToken=`) or bearer token of a request may see the video's files; else a Problem (401/403). */
export async function checkVideoFileAccess(ctx: Context, video: AccessVideo, deps: Pick<Parameters<typeof privateFilesGate>[0], 'fileTokens' | 'auth' | 'userRole'>): Promise<void> {
  const fileToken = typeof ctx.query.videoFileToken === 'string' && ctx.query.videoFileToken !== '' ? ctx.query.videoFileToken : undefined;
  let viewer: { id: number; role: number } | undefined;
  if (fileToken) {
    const granted = deps.fileTokens.check(fileToken, video.uuid);
    if (!granted) throw new Problem(403, 'Invalid video file token');
    const role = granted.userId === null ? null : await deps.userRole(granted.userId);
    viewer = granted.userId === null || role === null ? undefined : { id: granted.userId, role };
  } else {
    await deps.auth.optional(ctx, async () => {});
    viewer = (ctx.state as AuthState).user;
  }
  const refusal = videoAccess(viewer, video);
  if (refusal === 'auth-required') throw new Problem(401, 'Authentication is required to access this file');
  if (refusal === 'forbidden') throw new Problem(403, 'Cannot fetch information of private/internal/blocked video');
}

export function privateFilesGate(deps: {
  kind: 'hls' | 'web-videos';
  store: VideoAccessStore;
  fileTokens: VideoFileTokens;
  auth: Auth;
  /** the current role of a file token's user (null: gone) */
  userRole(userId: number): Promise<number | null>;
}): StaticResponder {
  return async (ctx: Context, file) => {
    const fileToken = typeof ctx.query.videoFileToken === 'string' && ctx.query.videoFileToken !== '' ? ctx.query.videoFileToken : undefined;
    const bearer = ctx.get('authorization');
    if (!fileToken && !bearer) throw new Problem(403, 'Video password header, video file token query parameter and bearer token are all missing');

    const relative = file.relativePath.replace(/\\/g, '/');
    const video: AccessVideo | null =
      deps.kind === 'hls' ? await deps.store.byUuid(relative.split('/')[0] ?? '') : await deps.store.byWebVideoFilename(relative.split('/').pop() ?? '');
    if (!video) throw new Problem(403, 'Cannot access this file');
    await checkVideoFileAccess(ctx, video, deps);

    if (deps.kind === 'hls' && fileToken && relative.endsWith('.m3u8') && ctx.query.reinjectVideoFileToken === 'true') {
      const body = Buffer.from(reinjectVideoFileToken(file.readText ? await file.readText() : await readFile(file.absolutePath, 'utf8'), fileToken));
      serveBuffer(ctx, body, { contentType: 'application/x-mpegurl; charset=utf-8', etag: `"${createHash('sha1').update(body).digest('hex')}"`, cacheControl: file.cacheControl });
      return true;
    }
    return false;
  };
}
