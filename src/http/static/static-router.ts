import path from 'node:path';
import type { Context, Middleware, Next } from 'koa';
import { answerPreflight, setCorsHeaders, STATIC_METHODS } from './cors.js';
import { realpathInside } from './realpath-inside.js';
import { resolveInside } from './resolve-inside.js';
import { decodedMount } from './decoded-mount.js';
import { serveFile } from './serve-file.js';
import { serveObject, type StaticObjectSource } from './serve-object.js';

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
  /** files that are not on disk are looked for here (object storage: the mount proxies the bucket) */
  objects?: StaticObjectSource;
}

/** The file a static request names, already checked (inside the mount, no escaping symlink). */
export interface StaticFile {
  absolutePath: string;
  /** below the mount's directory, with the platform's separators */
  relativePath: string;
  cacheControl?: string | undefined;
  /** the mount's onBytesSent, bound to this file */
  onBytesSent?: ((n: number) => void) | undefined;
  /** the file's text, when it is an object rather than a file on disk */
  readText?: () => Promise<string>;
  /** the file's bytes, when it is an object rather than a file on disk */
  readBytes?: () => Promise<Buffer>;
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
    // a path whose decoded form falls under another (longer, gated) mount, e.g. `hls/%70rivate/…`: refused
    if (decodedMount(byLongestPrefix, requestPath) !== mount) return notFound(ctx);

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
    const onBytesSent = mount.onBytesSent;
    const servedPath = path.relative(mount.directory, lexical.path);
    const countSent = onBytesSent ? (n: number) => onBytesSent(n, servedPath) : undefined;
    const cacheControl = cacheControlFor(mount, servedPath);
    if (!real.ok) {
      if (real.reason.type !== 'not-found' || !mount.objects) return notFound(ctx);
      return serveFromObjects(ctx, mount, mount.objects, servedPath, cacheControl, countSent);
    }
    if (mount.respond && (await mount.respond(ctx, { absolutePath: real.path, relativePath: servedPath, cacheControl, onBytesSent: countSent }))) return;
    const result = await serveFile(ctx, real.path, {
      ...(cacheControl !== undefined ? { cacheControl } : {}),
      onBytesSent: countSent,
    });
    if (!result.ok) return notFound(ctx);
  };
}

/** A file not on disk, from the mount's objects: after the mount's respond hook (the private gate), proxied with Range. */
async function serveFromObjects(
  ctx: Context,
  mount: StaticMount,
  objects: StaticObjectSource,
  servedPath: string,
  cacheControl: string | undefined,
  countSent: ((n: number) => void) | undefined,
): Promise<void> {
  const key = servedPath.split(path.sep).join('/');
  if (mount.respond) {
    const readBytes = async () => {
      const head = await objects.head(key);
      const body = head && (await objects.read(key, 0, Math.max(0, head.size - 1)));
      if (!body) throw new Error(`object ${key} went while read`);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    const readText = async () => (await readBytes()).toString('utf8');
    if (await mount.respond(ctx, { absolutePath: path.join(mount.directory, servedPath), relativePath: servedPath, cacheControl, onBytesSent: countSent, readText, readBytes })) return;
  }
  ctx.respond = false;
  const status = await serveObject(ctx.req, ctx.res, objects, key, { cacheControl, onBytesSent: countSent });
  if (status === null) {
    ctx.respond = true;
    return notFound(ctx);
  }
  ctx.status = status;
}

/** A mount's Cache-Control for one file (a rule of the path, e.g. live playlists against segments). */
export function cacheControlFor(mount: Pick<StaticMount, 'cacheControl'>, relativePath: string): string | undefined {
  return typeof mount.cacheControl === 'function' ? mount.cacheControl(relativePath) : mount.cacheControl;
}

function notFound(ctx: Context): void {
  setCorsHeaders(ctx);
  ctx.status = 404;
  ctx.type = 'text/plain';
  ctx.body = 'Not Found';
}
