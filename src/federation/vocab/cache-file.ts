import { toIso } from './activity-ids.js';
import { audiencify, type Audience } from './audience.js';

/** The CacheFile field (ours) that marks a live relay. */
export const LIVE_RELAY_FIELD = 'isLiveRelay';

/**
 * Our copy of a remote video's HLS playlist, as PeerTube announces one (CacheFile, see
 * activity-Create-CacheFile-hls-received-by-a.json): `url.href` is the folder of the copy,
 * `/static/redundancy/hls/<uuid>` on the mirror. `expires` null for a copy kept until undone.
 */
export function buildHlsCacheFile(input: { id: string; videoUrl: string; expires: Date | string | null; baseUrl: string; audience: Audience; liveRelay?: boolean }) {
  return audiencify(
    {
      id: input.id,
      type: 'CacheFile' as const,
      object: input.videoUrl,
      expires: input.expires === null ? null : toIso(input.expires),
      url: { type: 'Link' as const, mediaType: 'application/x-mpegURL' as const, href: input.baseUrl },
      // ours: a relay of a running live (segments pulled as they appear). Left out of the context on
      // purpose: PeerTube ignores it, our LD context guard accepts it (an undefined term), and a
      // forwarded copy loses it (not covered by the LD signature), which only makes it a plain copy
      ...(input.liveRelay === true ? { [LIVE_RELAY_FIELD]: true as const } : {}),
    },
    input.audience,
  );
}

export type HlsCacheFileObject = ReturnType<typeof buildHlsCacheFile>;
