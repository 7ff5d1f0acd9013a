import type { Prisma } from '../../db/index.js';
import { INSTANCE_ACTOR_NAME } from '../../accounts/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import { parseVideoRef } from '../../videos/short-uuid.js';
import { publicAudience, withContext } from '../vocab/index.js';
import { localHlsCacheFile } from './local-cache-files.js';

/** Our CacheFiles as ActivityPub documents, for GET of `<base>/redundancy/streaming-playlists/hls/<uuid>`. */
export function createLocalCacheFiles(deps: { prisma: Prisma; urls: InstanceUrls }) {
  return {
    /**
     * The CacheFile of our active copy of the video (uuid or short uuid), `@context` first;
     * null when we hold no active copy of it (none, still downloading, failed, unknown video).
     */
    async hlsCacheFileDocument(videoRef: string) {
      const where = parseVideoRef(videoRef);
      if (!where || !('uuid' in where)) return null;
      const row = await deps.prisma.videoRedundancy.findFirst({
        where: { video: { uuid: where.uuid }, state: 'active', actor: { preferredUsername: INSTANCE_ACTOR_NAME, host: null } },
        include: { video: { select: { uuid: true, url: true } }, actor: { select: { url: true, followersUrl: true } } },
      });
      if (!row) return null;
      const audience = publicAudience([row.actor.followersUrl ?? `${row.actor.url}/followers`]);
      return withContext(localHlsCacheFile(deps.urls, row.video, row.expiresOn, audience), 'CacheFile');
    },
  };
}

export type LocalCacheFiles = ReturnType<typeof createLocalCacheFiles>;
