import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { shortenWebRtcAnswerDelay, webRtcAnswerDelayMs } from '../../../src/p2p/index.js';

describe('shortenWebRtcAnswerDelay', () => {
  it('sets the ICE wait of peers answering a tracker offer, and of nothing else', () => {
    const discovery = new EventEmitter();
    shortenWebRtcAnswerDelay({ discovery }, 300);
    const answering = { iceCompleteTimeout: 5000, initiator: false };
    const offering = { iceCompleteTimeout: 5000, initiator: true };
    discovery.emit('peer', answering, 'tracker');
    discovery.emit('peer', offering, 'tracker');
    discovery.emit('peer', '127.0.0.1:6881', 'tracker'); // a TCP peer from an HTTP tracker
    const fromDht = { iceCompleteTimeout: 5000, initiator: false };
    discovery.emit('peer', fromDht, 'dht');
    expect(answering.iceCompleteTimeout).toBe(300);
    expect(offering.iceCompleteTimeout).toBe(5000);
    expect(fromDht.iceCompleteTimeout).toBe(5000);
  });

  it('does nothing on a torrent without discovery; waits longer when STUN/TURN candidates are expected', () => {
    expect(() => shortenWebRtcAnswerDelay({}, 300)).not.toThrow();
    expect(webRtcAnswerDelayMs([])).toBe(300);
    expect(webRtcAnswerDelayMs(['stun:stun.example.org:3478'])).toBe(2000);
  });
});
