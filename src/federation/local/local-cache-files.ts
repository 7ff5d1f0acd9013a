import type { InstanceUrls } from '../../lib/instance-urls.js';
import { activityIds, buildHlsCacheFile, type Audience } from '../vocab/index.js';

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

