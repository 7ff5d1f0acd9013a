import { describe, expect, it } from 'vitest';
import { parseBytes, parseDuration } from '../../../src/lib/units.js';
import { createInstanceUrls } from '../../../src/lib/instance-urls.js';

describe('parseBytes', () => {
  it.each([
    [1024, 1024],
    [-1, -1],
    ['10GB', 10 * 1024 ** 3],
    ['512 MB', 512 * 1024 ** 2],
    ['1.5kb', 1536],
    ['100', 100],
    ['10 parsecs', null],
    [-2, null],
    [true, null],
  ])('%s → %s', (input, expected) => expect(parseBytes(input)).toBe(expected));
});

describe('parseDuration', () => {
  it.each([
    [1500, 1500],
    ['30 seconds', 30_000],
    ['2h', 7_200_000],
    ['1 day', 86_400_000],
    ['200ms', 200],
    ['soon', null],
    [-5, null],
  ])('%s → %s', (input, expected) => expect(parseDuration(input)).toBe(expected));
});

describe('createInstanceUrls', () => {
  it('omits default ports and follows PeerTube URL layout', () => {
    const u = createInstanceUrls({ https: true, hostname: 'tube.example', port: 443 });
    expect(u.base).toBe('https://tube.example');
    expect(u.trackerSocket).toBe('wss://tube.example/tracker/socket');
    expect(u.hlsFile('abc', 'master.m3u8')).toBe('https://tube.example/static/streaming-playlists/hls/abc/master.m3u8');
    const local = createInstanceUrls({ https: false, hostname: 'localhost', port: 9000 });
    expect(local.host).toBe('localhost:9000');
    expect(local.account('root')).toBe('http://localhost:9000/accounts/root');
    expect(local.torrent('x-240-hls.torrent')).toBe('http://localhost:9000/lazy-static/torrents/x-240-hls.torrent');
  });
});
