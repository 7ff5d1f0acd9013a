import { join } from 'node:path';
import type { InstanceConfig } from '../../config/index.js';
import type { Prisma } from '../../db/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { fail, ok } from '../../lib/result.js';
import { createImageDiskCache } from './image-disk-cache.js';
import { createPrismaRemoteImageStore } from './remote-image-store.js';
import { createRemoteImages, IMAGE_CONTENT_TYPES } from './remote-images.js';

/** The one call this area makes of the safe fetcher (federation/remote's `SafeFetcher` fits). */
export interface ImageFetcher {
  fetch(url: string, options: { maxBytes: number; contentTypes: readonly string[] }): Promise<{ ok: true; body: Buffer } | { ok: false; reason: { type: string; message: string } }>;
}

/** Builds the remote image service of an instance (`cache.remote_images`, files in `<storage.cache>/remote-images`). */
export function createRemoteImageService(deps: { config: InstanceConfig; prisma: Prisma; fetcher: ImageFetcher; clock: Clock; logger: Logger }) {
  const settings = deps.config.cache.remote_images;
  const cache = createImageDiskCache({ directory: join(deps.config.storage.cache, 'remote-images'), maxBytes: settings.size });
  const images = createRemoteImages({
    store: createPrismaRemoteImageStore(deps.prisma),
    cache,
    clock: deps.clock,
    logger: deps.logger,
    maxFileSize: settings.max_file_size,
    failureTtlMs: settings.failure_ttl,
    fetchImage: async (url, maxBytes) => {
      const r = await deps.fetcher.fetch(url, { maxBytes, contentTypes: IMAGE_CONTENT_TYPES });
      return r.ok ? ok(r.body) : fail({ type: r.reason.type, message: r.reason.message });
    },
  });
  return {
    ...images,
    cache,
    /** reads the cache folder (sizes, use order by mtime) and trims it to the bound */
    start: () => cache.load(),
  };
}

export type RemoteImageService = ReturnType<typeof createRemoteImageService>;
