import { describe, expect, it } from 'vitest';
import { seedingProtocolOf } from '../../../src/p2p/index.js';

describe('seedingProtocolOf: webtorrent wire types → counted protocol', () => {
  it.each([
    ['tcpIncoming', 'bittorrent'],
    ['tcpOutgoing', 'bittorrent'],
    ['utpIncoming', 'bittorrent'],
    ['utpOutgoing', 'bittorrent'],
    ['webrtc', 'webrtc'],
    ['webSeed', null],
    ['something-new', null],
    [undefined, null],
  ])('%s → %s', (type, protocol) => expect(seedingProtocolOf(type)).toBe(protocol));
});
