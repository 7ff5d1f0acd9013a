import { describe, expect, it } from 'vitest';
import { parseRelayPlaylist } from '../../../src/live/relay/relay-playlists.js';
import { pickAlternate, playlistEnd, staleAfterMs, usableAlternates } from '../../../src/live/relay/relay-sources.js';

const OWN = 'https://me.example/static/redundancy/hls/';
const U = '0b9e3d7a-1111-4222-8333-944455556666';

describe('where a live relay pulls from', () => {
  it('takes the other relays as http(s) base URLs, each once, never its own', () => {
    expect(
      usableAlternates(
        [
          `https://a.example/static/redundancy/hls/${U}`,
          `https://a.example/static/redundancy/hls/${U}/`,
          `${OWN}${U}`,
          `http://b.example:9000/static/redundancy/hls/${U}`,
          `ftp://c.example/static/redundancy/hls/${U}`,
          `https://user:pw@d.example/static/redundancy/hls/${U}`,
          `https://e.example/static/redundancy/hls/${U}?x=1`,
          'not a url',
        ],
        [OWN],
      ),
    ).toEqual([`https://a.example/static/redundancy/hls/${U}`, `http://b.example:9000/static/redundancy/hls/${U}`]);
    // its own base URL with no trailing slash given
    expect(usableAlternates([`${OWN}${U}`], [OWN.slice(0, -1)])).toEqual([]);
  });

  it('picks the next relay in turn that is not benched, none when all are', () => {
    const all = ['a', 'b', 'c'];
    expect(pickAlternate(all, new Map(), 100, null)).toBe('a');
    expect(pickAlternate(all, new Map(), 100, 'a')).toBe('b');
    expect(pickAlternate(all, new Map(), 100, 'c')).toBe('a');
    expect(pickAlternate(all, new Map([['b', 200]]), 100, 'a')).toBe('c');
    // a bench ends: taken again
    expect(pickAlternate(all, new Map([['b', 200]]), 200, 'a')).toBe('b');
    expect(pickAlternate(all, new Map([['a', 200], ['b', 200], ['c', 200]]), 100, null)).toBeNull();
    expect(pickAlternate([], new Map(), 100, null)).toBeNull();
    // the one it left is the last tried (a single relay benched: none)
    expect(pickAlternate(['a'], new Map([['a', 200]]), 100, 'a')).toBeNull();
  });

  it('counts a relay as failing after three segments without anything new (3 s at least)', () => {
    expect(staleAfterMs(1)).toBe(3000);
    expect(staleAfterMs(4)).toBe(12_000);
    expect(staleAfterMs(null)).toBe(6000);
    expect(staleAfterMs(0.5)).toBe(3000);
  });

  it('tells where a media playlist ends (media sequence + segments)', () => {
    const media = (seq: number, n: number) => parseRelayPlaylist(['#EXTM3U', '#EXT-X-TARGETDURATION:1', `#EXT-X-MEDIA-SEQUENCE:${seq}`, ...Array.from({ length: n }, (_, i) => [`#EXTINF:1,`, `0-${seq + i}.mp4`]).flat(), ''].join('\n'));
    const at = (seq: number, n: number) => {
      const p = media(seq, n);
      if (!p.ok) throw new Error('not a playlist');
      return playlistEnd(p.value.mediaSequence, p.value.uris.length);
    };
    expect(at(10, 3)).toBe(13);
    // the window slid by one: ends later
    expect(at(11, 3)).toBeGreaterThan(at(10, 3));
    // a relay behind
    expect(at(9, 3)).toBeLessThan(at(10, 3));
    expect(playlistEnd(null, 2)).toBe(2);
  });
});
