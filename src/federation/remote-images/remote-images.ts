import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { fail, ok, type Result } from '../../lib/result.js';
import type { ImageDiskCache } from './image-disk-cache.js';
import { REMOTE_IMAGE_NAME, type RemoteImageKind } from './remote-image-name.js';
import type { RemoteImageStore } from './remote-image-store.js';

/** Media types we accept from an origin for an image. */
export const IMAGE_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;

export type ImageFetchFailure = { type: string; message: string };
/** GETs an image through the SSRF-safe fetcher, at most `maxBytes`, of an image media type. */
export type FetchImage = (url: string, maxBytes: number) => Promise<Result<Buffer, ImageFetchFailure>>;

export type RemoteImageRefusal = { type: 'unknown'; message: string } | { type: 'unavailable'; message: string };

/** JPEG, PNG, GIF or WebP, by their first bytes: we never serve an origin's other bytes as an image. */
export function looksLikeImage(body: Buffer): boolean {
  if (body.length >= 3 && body[0] === 0xff && body[1] === 0xd8 && body[2] === 0xff) return true;
  if (body.length >= 8 && body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return true;
  if (body.length >= 6 && (body.subarray(0, 6).toString('latin1') === 'GIF87a' || body.subarray(0, 6).toString('latin1') === 'GIF89a')) return true;
  return body.length >= 12 && body.subarray(0, 4).toString('latin1') === 'RIFF' && body.subarray(8, 12).toString('latin1') === 'WEBP';
}

/**
 * Remote images served as PeerTube serves them (`/lazy-static/thumbnails|previews|avatars/<name>`):
 * the first request fetches the image from its origin (one fetch however many ask at once), caps
 * its size, checks it is an image and keeps it in the byte-bounded disk cache; later requests read
 * the cache. A failed fetch is answered as unavailable and remembered for `failureTtlMs` only, so
 * a later request tries again.
 */
export function createRemoteImages(deps: {
  store: RemoteImageStore;
  cache: ImageDiskCache;
  fetchImage: FetchImage;
  clock: Clock;
  logger: Logger;
  maxFileSize: number;
  failureTtlMs: number;
  /** failures remembered at most (the oldest are forgotten first) */
  maxFailures?: number;
}) {
  const log = deps.logger.child({ component: 'remote-images' });
  const inFlight = new Map<string, Promise<Result<string, RemoteImageRefusal>>>();
  const failures = new Map<string, { until: number; message: string }>();
  const maxFailures = deps.maxFailures ?? 10_000;

  async function download(name: string, url: string): Promise<Result<string, RemoteImageRefusal>> {
    const fetched = await deps.fetchImage(url, deps.maxFileSize);
    const refusal = !fetched.ok ? fetched.reason.message : looksLikeImage(fetched.value) ? null : `${url} is not an image`;
    if (refusal !== null || !fetched.ok) {
      const message = refusal ?? 'not an image';
      failures.delete(name);
      failures.set(name, { until: deps.clock.now().getTime() + deps.failureTtlMs, message });
      if (failures.size > maxFailures) failures.delete(failures.keys().next().value!);
      log.info({ url, reason: message }, 'remote image unavailable');
      return fail({ type: 'unavailable', message });
    }
    failures.delete(name);
    const path = await deps.cache.put(name, fetched.value);
    return path === null ? fail({ type: 'unavailable', message: `${url} is larger than the whole cache` }) : ok(path);
  }

  return {
    /** The cached file of a remote image, fetched first if needed; `unknown` when we serve no remote image of that name. */
    async open(kind: RemoteImageKind, name: string): Promise<Result<string, RemoteImageRefusal>> {
      if (!REMOTE_IMAGE_NAME.test(name)) return fail({ type: 'unknown', message: `no remote image ${name}` });
      const cached = deps.cache.get(name);
      if (cached !== null) return ok(cached);
      const url = await deps.store.findUrl(kind, name);
      if (url === null) return fail({ type: 'unknown', message: `no remote image ${name}` });
      const failed = failures.get(name);
      if (failed && failed.until > deps.clock.now().getTime()) return fail({ type: 'unavailable', message: failed.message });
      let pending = inFlight.get(name);
      if (!pending) {
        pending = download(name, url).finally(() => inFlight.delete(name));
        inFlight.set(name, pending);
      }
      return pending;
    },
  };
}

export type RemoteImages = ReturnType<typeof createRemoteImages>;
