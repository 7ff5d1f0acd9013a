import { toIso } from './activity-ids.js';
import { audiencify, type Audience } from './audience.js';

/**
 * Our copy of a remote video's HLS playlist, as PeerTube announces one (CacheFile, see
 * activity-Create-CacheFile-hls-received-by-a.json): `url.href` is the folder of the copy,
 * `/static/redundancy/hls/<uuid>` on the mirror. `expires` null for a copy kept until undone.
 */
export function buildHlsCacheFile(input: { id: string; videoUrl: string; expires: Date | string | null; baseUrl: string; audience: Audience }) {
  return audiencify(
    {
      id: input.id,
      type: 'CacheFile' as const,
      object: input.videoUrl,
      expires: input.expires === null ? null : toIso(input.expires),
      url: { type: 'Link' as const, mediaType: 'application/x-mpegURL' as const, href: input.baseUrl },
    },
    input.audience,
  );
}

export type HlsCacheFileObject = ReturnType<typeof buildHlsCacheFile>;
