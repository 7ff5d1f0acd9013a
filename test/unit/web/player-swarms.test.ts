import { describe, expect, it } from 'vitest';
// p2p-media-loader's own code (its package index does not load in Node; these modules do)
import { generateStreamShortId, getStreamSwarmId } from '../../../node_modules/p2p-media-loader-core/lib/utils/stream.js';
import { getStreamHash } from '../../../node_modules/p2p-media-loader-core/lib/utils/peer.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { buildMasterPlaylist } from '../../../src/transcoding/master-playlist.js';
import { createPlayerSwarms, masterVariants, playerSwarmInfohashes, streamShortId } from '../../../src/web/player-swarms.js';

const master = buildMasterPlaylist([
  { playlistFilename: 'u-240.m3u8', resolution: 240, width: 320, height: 240, fps: 25, bandwidth: 123456, codecs: ['avc1.64000d', 'mp4a.40.2'] },
  { playlistFilename: 'u-144.m3u8', resolution: 144, width: 192, height: 144, fps: 30, bandwidth: 65432, codecs: ['avc1.42c00c', 'mp4a.40.2'] },
]);

describe('player swarm infohashes (p2p-media-loader 2)', () => {
  it('reads the variants as hls.js does (BANDWIDTH, video codecs only, RESOLUTION, FRAME-RATE)', () => {
    expect(masterVariants(master)).toEqual([
      { bitrate: 65432, codecs: 'avc1.42c00c', width: 192, height: 144, frameRate: '30' },
      { bitrate: 123456, codecs: 'avc1.64000d', width: 320, height: 240, frameRate: '25' },
    ]);
  });

  it('computes the same stream ids and tracker infohashes as p2p-media-loader', () => {
    const swarmId = 'http://127.0.0.1:9000/static/streaming-playlists/hls/u/master.m3u8';
    const variants = masterVariants(master);
    for (const v of [...variants, { bitrate: 0, codecs: 'avc1.66.30' }, { bitrate: 5, codecs: 'avc1.66.30,hvc1.1', frameRate: '30.000', videoRange: 'pq' }]) {
      expect(streamShortId(v)).toBe(generateStreamShortId(v));
    }
    const theirs = variants.map((v) => {
      const hash = getStreamHash(getStreamSwarmId(swarmId, { type: 'main', index: generateStreamShortId(v), runtimeId: '' }));
      return Buffer.from(hash, 'latin1').toString('hex');
    });
    expect(playerSwarmInfohashes(swarmId, master)).toEqual(theirs);
    expect(theirs.every((h) => h.length === 40)).toBe(true);
  });

  it('admits registered swarms until their time runs out', () => {
    const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
    const swarms = createPlayerSwarms({ clock, ttlMs: 1000, max: 2 });
    swarms.register(['a', 'b']);
    expect(swarms.admits('a')).toBe(true);
    expect(swarms.admits('c')).toBe(false);
    swarms.register(['c']); // over max: the oldest goes
    expect([swarms.admits('a'), swarms.admits('b'), swarms.admits('c')]).toEqual([false, true, true]);
    clock.advance(1001);
    expect(swarms.admits('b')).toBe(false);
  });
});
