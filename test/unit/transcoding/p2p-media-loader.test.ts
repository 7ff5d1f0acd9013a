import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { p2pMediaLoaderInfohashes } from '../../../src/transcoding/index.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

describe('p2pMediaLoaderInfohashes', () => {
  it('matches what PeerTube 6.3 published for its HLS playlist (captured Video object)', () => {
    const video = JSON.parse(readFileSync(join(PEERTUBE_REAL_DIR, 'ap-video-9000.json'), 'utf8')) as {
      url: { mediaType: string; href: string; tag?: { type: string; name?: string }[] }[];
    };
    const hls = video.url.find((u) => u.mediaType === 'application/x-mpegURL')!;
    const published = hls.tag!.filter((t) => t.type === 'Infohash').map((t) => t.name);
    expect(published.length).toBeGreaterThan(0);
    expect(p2pMediaLoaderInfohashes(hls.href, published.length)).toEqual(published);
  });

  it('one per variant, distinct, and tied to the master URL', () => {
    const a = p2pMediaLoaderInfohashes('http://a.example/static/streaming-playlists/hls/u/master.m3u8', 3);
    expect(new Set(a).size).toBe(3);
    expect(a.every((h) => /^[0-9a-f]{40}$/.test(h))).toBe(true);
    expect(p2pMediaLoaderInfohashes('http://b.example/static/streaming-playlists/hls/u/master.m3u8', 3)).not.toEqual(a);
    expect(p2pMediaLoaderInfohashes('http://a.example/x/master.m3u8', 0)).toEqual([]);
  });
});
