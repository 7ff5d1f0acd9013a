import type { Context } from 'koa';

export const STATIC_METHODS = 'GET, HEAD, OPTIONS';

/**
 * Static files are public: any origin may read them (players, WebTorrent webseeds and
 * p2p-media-loader on other instances fetch them cross-origin with Range requests).
 */
export function setCorsHeaders(ctx: Context): void {
  ctx.set('Access-Control-Allow-Origin', '*');
  ctx.set(
    'Access-Control-Expose-Headers',
    'Content-Range, Content-Length, Accept-Ranges, ETag, Last-Modified',
  );
}

/** Answers a CORS preflight (`OPTIONS`) for a static file: 204 with the allowed methods/headers. */
export function answerPreflight(ctx: Context): void {
  setCorsHeaders(ctx);
  ctx.set('Access-Control-Allow-Methods', STATIC_METHODS);
  ctx.set('Access-Control-Allow-Headers', 'Range, If-None-Match, If-Modified-Since, If-Range');
  ctx.set('Access-Control-Max-Age', '86400');
  ctx.set('Allow', STATIC_METHODS);
  ctx.status = 204;
}
