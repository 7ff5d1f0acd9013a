import type { Prisma } from '../../db/index.js';
import { INSTANCE_ACTOR_NAME } from '../../accounts/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import { parseVideoRef } from '../../videos/short-uuid.js';
import { activityIds, buildHlsCacheFile, publicAudience, withContext, type Audience } from '../vocab/index.js';

/** Where we serve our copy of a video's HLS playlist: `<base>/static/redundancy/hls/<uuid>`. */
export function localHlsCopyBaseUrl(urls: InstanceUrls, videoUuid: string): string {
  return urls.redundancyHls(videoUuid);
}

/**
 * The CacheFile of our copy of a (remote) video's HLS playlist, as we announce it (Create/Update/
 * Undo, by the redundancy engine, `to` the video's account) and as we serve it on GET of its id
 * (`to` Public, `cc` our instance actor's followers, like PeerTube's videoRedundancyController).
 */
export function localHlsCacheFile(urls: InstanceUrls, video: { uuid: string; url: string }, expiresOn: Date | null, audience: Audience) {
  return buildHlsCacheFile({
    id: activityIds.hlsCacheFile(urls.base, video.uuid),
    videoUrl: video.url,
    expires: expiresOn,
    baseUrl: localHlsCopyBaseUrl(urls, video.uuid),
    audience,
  });
}

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
