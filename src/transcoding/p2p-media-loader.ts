import { createHash } from 'node:crypto';

/** The p2p-media-loader protocol version PeerTube's player speaks (its swarm ids start with it). */
const P2P_MEDIA_LOADER_PEER_VERSION = 2;

/**
 * PeerTube's `p2pMediaLoaderInfohashes` of an HLS playlist: the swarm id of each variant, as the
 * player computes it, sha1 of `<version><master playlist URL>+V<index>` (one per variant, in the
 * master playlist's order). They are not the files' torrent infohashes.
 */
export function p2pMediaLoaderInfohashes(masterPlaylistUrl: string, variants: number): string[] {
  return Array.from({ length: variants }, (_, i) => createHash('sha1').update(`${P2P_MEDIA_LOADER_PEER_VERSION}${masterPlaylistUrl}+V${i}`).digest('hex'));
}
