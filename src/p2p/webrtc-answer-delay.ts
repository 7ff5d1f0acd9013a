import type { EventEmitter } from 'node:events';

/**
 * How long the seeder waits for its ICE candidates before answering a WebRTC offer. With host
 * candidates only they are there within milliseconds; STUN/TURN candidates need a round trip.
 */
export function webRtcAnswerDelayMs(iceServers: readonly string[]): number {
  return iceServers.length === 0 ? 300 : 2000;
}

/**
 * Workaround: node-datachannel (WebRTC in Node) never signals the end of ICE gathering (no null
 * candidate), so simple-peer waits its whole `iceCompleteTimeout` (5 s) before sending an answer
 * without trickle. A browser connecting to our seeder would wait those 5 s on every connection,
 * and two Node peers (10 s together) can outlast libdatachannel's ICE patience. We shorten it on
 * the peers that the tracker creates for remote offers (webtorrent's `discovery` emits each one
 * synchronously before the offer is applied, so setting it there is in time).
 */
export function shortenWebRtcAnswerDelay(torrent: object, delayMs: number): void {
  const discovery = (torrent as { discovery?: EventEmitter | null }).discovery;
  discovery?.on('peer', (peer: unknown, source: unknown) => {
    if (source !== 'tracker' || typeof peer !== 'object' || peer === null) return;
    const webrtcPeer = peer as { iceCompleteTimeout?: number; initiator?: boolean };
    if (typeof webrtcPeer.iceCompleteTimeout === 'number' && !webrtcPeer.initiator) webrtcPeer.iceCompleteTimeout = delayMs;
  });
}
