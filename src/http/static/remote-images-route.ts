import type { Middleware } from 'koa';
import type { RemoteImageKind } from '../../federation/remote-images/index.js';
import type { Result } from '../../lib/result.js';
import { setCorsHeaders } from './cors.js';
import { serveFile } from './serve-file.js';

const PATH = /^\/lazy-static\/(thumbnails|previews|avatars)\/([^/]+)$/;
/** PeerTube's lazy-static max age (STATIC_MAX_AGE.LAZY_SERVER). */
const CACHE_CONTROL = 'public, max-age=7200';

/** The remote image service as this route uses it. */
export interface RemoteImageSource {
  open(kind: RemoteImageKind, name: string): Promise<Result<string, { type: 'unknown' | 'unavailable'; message: string }>>;
}

/**
 * GET/HEAD `/lazy-static/{thumbnails,previews,avatars}/<name>` of remote videos and actors:
 * served from the remote image cache (fetched from the origin on first request). Names that are
 * not remote images fall through to the static folders (our own images); an image the origin
 * does not give us is 404.
 */
export function remoteImagesRoute(source: RemoteImageSource): Middleware {
  return async (ctx, next) => {
    const match = PATH.exec(ctx.path);
    if (!match || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const opened = await source.open(match[1] as RemoteImageKind, match[2]!);
    if (!opened.ok && opened.reason.type === 'unknown') return next();
    if (opened.ok) {
      const served = await serveFile(ctx, opened.value, { cacheControl: CACHE_CONTROL });
      if (served.ok) return;
    }
    setCorsHeaders(ctx);
    ctx.status = 404;
    ctx.type = 'text/plain';
    ctx.body = 'Not Found';
  };
}
