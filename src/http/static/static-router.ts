import path from 'node:path';
import type { Context, Middleware, Next } from 'koa';
import { answerPreflight, setCorsHeaders, STATIC_METHODS } from './cors.js';
import { realpathInside } from './realpath-inside.js';
import { resolveInside } from './resolve-inside.js';
import { serveFile } from './serve-file.js';

export interface StaticMount {
  /** URL prefix, starting and ending with `/`, e.g. `/static/streaming-playlists/hls/`. */
  urlPrefix: string;
  /** Absolute folder served under that prefix. */
  directory: string;
  /** a fixed Cache-Control, or one per file (its path below `directory`; undefined: none) */
  cacheControl?: string | ((relativePath: string) => string | undefined);
  /** Body bytes written to clients, chunk by chunk, with the file's path below `directory`. */
  onBytesSent?: (n: number, relativePath: string) => void;
  /**
   * Answers a GET/HEAD for a file itself (a body derived from the file, e.g. a .torrent with more
   * webseeds), after the path checks; resolves false to let the file be served as is.
   */
  respond?: StaticResponder;
}

/** The file a static request names, already checked (inside the mount, no escaping symlink). */
export interface StaticFile {
  absolutePath: string;
  /** below the mount's directory, with the platform's separators */
  relativePath: string;
  cacheControl?: string | undefined;
  /** the mount's onBytesSent, bound to this file */
  onBytesSent?: ((n: number) => void) | undefined;
}

export type StaticResponder = (ctx: Context, file: StaticFile) => Promise<boolean>;

/**
 * koa middleware serving each mount's folder under its URL prefix (the longest matching prefix
 * wins). Paths outside the prefixes fall through to `next()`. Under a prefix: GET/HEAD serve the
 * file, OPTIONS answers the CORS preflight, other methods get 405; missing files and refused paths
 * (traversal, encoded separators, NUL, symlinks leading outside the folder…) all get a plain 404,
 * so the reason is not revealed.
 */
export function createStaticRouter(mounts: readonly StaticMount[]): Middleware {
  for (const mount of mounts) {
    if (!mount.urlPrefix.startsWith('/') || !mount.urlPrefix.endsWith('/')) {
      throw new Error(`static mount prefix must start and end with "/": ${mount.urlPrefix}`);
    }
    if (!path.isAbsolute(mount.directory)) {
      throw new Error(`static mount directory must be absolute: ${mount.directory}`);
    }
  }
  const byLongestPrefix = [...mounts].sort((a, b) => b.urlPrefix.length - a.urlPrefix.length);

  return async function staticRouter(ctx: Context, next: Next): Promise<void> {
    const requestPath = ctx.path;
    const mount = byLongestPrefix.find((m) => requestPath.startsWith(m.urlPrefix));
    if (!mount) return next();

    if (ctx.method === 'OPTIONS') return answerPreflight(ctx);
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', STATIC_METHODS);
      ctx.status = 405;
      return;
    }

    const relativePath = requestPath.slice(mount.urlPrefix.length);
    const lexical = resolveInside(mount.directory, relativePath);
    if (!lexical.ok) return notFound(ctx);
    const real = await realpathInside(mount.directory, lexical.path);
    if (!real.ok) return notFound(ctx);

    const onBytesSent = mount.onBytesSent;
    const servedPath = path.relative(mount.directory, lexical.path);
    const countSent = onBytesSent ? (n: number) => onBytesSent(n, servedPath) : undefined;
    const cacheControl = typeof mount.cacheControl === 'function' ? mount.cacheControl(servedPath) : mount.cacheControl;
    if (mount.respond && (await mount.respond(ctx, { absolutePath: real.path, relativePath: servedPath, cacheControl, onBytesSent: countSent }))) return;
    const result = await serveFile(ctx, real.path, {
      ...(cacheControl !== undefined ? { cacheControl } : {}),
      onBytesSent: countSent,
    });
    if (!result.ok) return notFound(ctx);
  };
}

function notFound(ctx: Context): void {
  setCorsHeaders(ctx);
  ctx.status = 404;
  ctx.type = 'text/plain';
  ctx.body = 'Not Found';
}
