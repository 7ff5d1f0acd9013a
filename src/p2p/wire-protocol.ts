/** How we count a peer connection's bytes: BitTorrent over TCP or uTP, or WebRTC (browsers). */
export type SeedingProtocol = 'bittorrent' | 'webrtc';

/**
 * webtorrent's wire types → our protocol: `tcpIncoming`/`tcpOutgoing`/`utpIncoming`/`utpOutgoing`
 * are BitTorrent, `webrtc` is WebRTC; `webSeed` (an HTTP source we would read from) and anything
 * unknown are not a peer we serve → null.
 */
export function seedingProtocolOf(wireType: string | undefined): SeedingProtocol | null {
  switch (wireType) {
    case 'tcpIncoming':
    case 'tcpOutgoing':
    case 'utpIncoming':
    case 'utpOutgoing':
      return 'bittorrent';
    case 'webrtc':
      return 'webrtc';
    default:
      return null;
  }
}
