import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';
import {
  buildCopyPlan,
  checkInitSectionBytes,
  filenameOfUrl,
  parseMasterPlaylist,
  parseSegmentsSha256,
  resolutionFromFilename,
  resolveReference,
  type FetchedVariant,
  type HashedRange,
} from '../../../src/redundancy/mirror/index.js';

const REAL = PEERTUBE_REAL_DIR;
const ORIGIN = 'https://origin.example/static/streaming-playlists/hls/58338225-4a2b-4f8d-9506-ef418ce1c194/';
const MASTER_URL = new URL(`${ORIGIN}07dc012e-master.m3u8`);

describe('parseMasterPlaylist', () => {
  it("lists the variants of PeerTube 6.3's master playlist, with their resolutions", () => {
    const parsed = parseMasterPlaylist(readFileSync(`${REAL}/hls-master-9000.m3u8`, 'utf8'));
    expect(parsed).toEqual({
      ok: true,
      variants: [
        { uri: '305bb626-7bcf-4e2f-8930-b997a89eb95f-240.m3u8', kind: 'stream', resolution: 240 },
        { uri: '4ce14aa1-5928-4c8a-8ef9-018e7b6da374-360.m3u8', kind: 'stream', resolution: 360 },
      ],
    });
  });

  it('lists separate audio renditions (EXT-X-MEDIA with URI) and i-frame playlists', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,URI="x-0.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=1080x1920,CODECS="avc1.64001f",AUDIO="audio"',
      'x-1080.m3u8',
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100,URI="x-iframes.m3u8"',
    ].join('\n');
    const parsed = parseMasterPlaylist(text);
    expect(parsed.ok && parsed.variants).toEqual([
      { uri: 'x-0.m3u8', kind: 'media', mediaType: 'AUDIO' },
      { uri: 'x-1080.m3u8', kind: 'stream', resolution: 1080 }, // portrait: the smaller side
      { uri: 'x-iframes.m3u8', kind: 'i-frame' },
    ]);
  });

  it.each([
    ['no header', 'x-240.m3u8\n'],
    ['a media playlist', '#EXTM3U\n#EXTINF:4,\n#EXT-X-BYTERANGE:10@0\nx.mp4\n'],
    ['no variant', '#EXTM3U\n#EXT-X-VERSION:3\n'],
    ['a URI without STREAM-INF', '#EXTM3U\nx-240.m3u8\n'],
  ])('refuses %s', (_name, text) => {
    expect(parseMasterPlaylist(text)).toMatchObject({ ok: false, reason: { type: 'bad-playlist' } });
  });
});

describe('resolveReference: same origin, same folder, plain names', () => {
  it.each([
    ['a relative name', 'a-240.m3u8', `${ORIGIN}a-240.m3u8`, 'a-240.m3u8'],
    ['an absolute URL on the same origin and folder', `${ORIGIN}a-240.m3u8`, `${ORIGIN}a-240.m3u8`, 'a-240.m3u8'],
    ['a percent-encoded plain name', 'a%2D240.m3u8', `${ORIGIN}a%2D240.m3u8`, 'a-240.m3u8'],
    ['a query string (kept in the URL, not in the name)', 'a.mp4?v=2', `${ORIGIN}a.mp4?v=2`, 'a.mp4'],
  ])('accepts %s', (_name, reference, href, filename) => {
    const resolved = resolveReference(reference, MASTER_URL, MASTER_URL);
    expect(resolved).toMatchObject({ ok: true, filename });
    expect(resolved.ok && resolved.url.href).toBe(href);
  });

  it.each([
    ['another host', 'https://evil.example/static/streaming-playlists/hls/58338225-4a2b-4f8d-9506-ef418ce1c194/a.mp4', 'not on the playlist\'s origin'],
    ['another port', 'https://origin.example:8443/static/streaming-playlists/hls/58338225-4a2b-4f8d-9506-ef418ce1c194/a.mp4', 'origin'],
    ['another scheme', 'http://origin.example/static/streaming-playlists/hls/58338225-4a2b-4f8d-9506-ef418ce1c194/a.mp4', 'origin'],
    ['a protocol-relative URL elsewhere', '//127.0.0.1/a.mp4', 'origin'],
    ['a loopback literal', 'http://127.0.0.1:9000/a.mp4', 'origin'],
    ['another folder', '../other/a.mp4', 'outside the playlist\'s folder'],
    ['a sub-folder', 'sub/a.mp4', 'outside'],
    ['an encoded slash', '..%2Fsecret', 'plain file name'],
    ['a dot file', '.htaccess', 'plain file name'],
    ['credentials', 'https://user:pw@origin.example/static/streaming-playlists/hls/58338225-4a2b-4f8d-9506-ef418ce1c194/a.mp4', 'credentials'],
    ['a file scheme', 'file:///etc/passwd', 'origin'],
  ])('refuses %s', (_name, reference, message) => {
    const resolved = resolveReference(reference, MASTER_URL, MASTER_URL);
    expect(resolved.ok).toBe(false);
    if (!resolved.ok) expect(resolved.reason.message).toContain(message);
  });

  it('names: PeerTube resolutions from file names, unsafe names refused', () => {
    expect(resolutionFromFilename('305bb626-7bcf-4e2f-8930-b997a89eb95f-240-fragmented.mp4')).toBe(240);
    expect(resolutionFromFilename('uuid-0-fragmented.mp4')).toBe(0);
    expect(resolutionFromFilename('uuid-1080.m3u8')).toBe(1080);
    expect(resolutionFromFilename('master.m3u8')).toBeUndefined();
    expect(filenameOfUrl(new URL('https://h/a/b/c-master.m3u8'))).toBe('c-master.m3u8');
    expect(filenameOfUrl(new URL('https://h/a/b/'))).toBeUndefined();
    expect(filenameOfUrl(new URL('https://h/a/%E0%A4%A'))).toBeUndefined();
  });
});

// ---- the copy plan -------------------------------------------------------------------------

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function mediaPlaylist(file: string, init: number, segments: [number, number][], extra = ''): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-MAP:URI="${file}",BYTERANGE="${init}@0"`];
  for (const [offset, length] of segments) lines.push('#EXTINF:4.000000,', `#EXT-X-BYTERANGE:${length}@${offset}`, file);
  if (extra) lines.push(extra);
  lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

function variant(filename: string, text: string, resolution?: number): FetchedVariant {
  return { reference: { uri: filename, kind: 'stream', ...(resolution ? { resolution } : {}) }, url: new URL(filename, MASTER_URL), filename, text };
}

function hashesOf(json: Record<string, Record<string, string>>): ReadonlyMap<string, readonly HashedRange[]> {
  const parsed = parseSegmentsSha256(JSON.stringify(json));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.ranges;
}

const A = 'a-240-fragmented.mp4';
const B = 'b-360-fragmented.mp4';
const goodVariants = [
  variant('a-240.m3u8', mediaPlaylist(A, 1000, [[1000, 500], [1500, 700]]), 240),
  variant('b-360.m3u8', mediaPlaylist(B, 900, [[900, 100]]), 360),
];
const goodHashes = { [A]: { '1000-1499': sha('1'), '1500-2199': sha('2') }, [B]: { '900-999': sha('3') } };

function plan(variants: FetchedVariant[], json: Record<string, Record<string, string>>) {
  return buildCopyPlan({
    playlistUrl: MASTER_URL,
    masterFilename: '07dc012e-master.m3u8',
    segmentsSha256Filename: 'x-segments-sha256.json',
    variants,
    hashes: hashesOf(json),
    documentBytes: 100,
  });
}

describe('buildCopyPlan: playlists + hashes → the files to download', () => {
  it('lists each fragmented mp4 once, with its hashed ranges, init section and least size', () => {
    const result = plan(goodVariants, goodHashes);
    if (!result.ok) throw new Error(result.reason.message);
    expect(result.plan.files.map((f) => [f.filename, f.url.href, f.resolution, f.init, f.minSize, f.ranges.map((r) => r.key)])).toEqual([
      [A, `${ORIGIN}${A}`, 240, { offset: 0, length: 1000 }, 2200, ['1000-1499', '1500-2199']],
      [B, `${ORIGIN}${B}`, 360, { offset: 0, length: 900 }, 1000, ['900-999']],
    ]);
    expect(result.plan.minBytes).toBe(100 + 2200 + 1000);
  });

  it('works on the real PeerTube hashes file (its ranges keyed first-last inclusive)', () => {
    const json = JSON.parse(readFileSync(`${REAL}/hls-segments-sha256-9000.json`, 'utf8')) as Record<string, Record<string, string>>;
    const file = '305bb626-7bcf-4e2f-8930-b997a89eb95f-240-fragmented.mp4';
    const other = '4ce14aa1-5928-4c8a-8ef9-018e7b6da374-360-fragmented.mp4';
    const result = plan(
      [
        variant('305bb626-7bcf-4e2f-8930-b997a89eb95f-240.m3u8', mediaPlaylist(file, 1377, [[1377, 59067], [60444, 17295]])),
        variant('4ce14aa1-5928-4c8a-8ef9-018e7b6da374-360.m3u8', mediaPlaylist(other, 1353, [[1353, 66957], [68310, 19790]])),
      ],
      json,
    );
    if (!result.ok) throw new Error(result.reason.message);
    // the sizes the origin's REST API reports for these files
    expect(result.plan.files.map((f) => f.minSize)).toEqual([77739, 88100]);
  });

  it.each([
    ['a segment missing from the hashes', [goodVariants[0]!, goodVariants[1]!], { [A]: { '1000-1499': sha('1') }, [B]: goodHashes[B] }, 'is not in segments-sha256.json'],
    ['a hashed file that no playlist uses', goodVariants, { ...goodHashes, 'c-480-fragmented.mp4': { '0-9': sha('x') } }, 'no playlist uses'],
    ['a segment without byte range', [variant('a-240.m3u8', '#EXTM3U\n#EXTINF:4,\na-240-0.ts\n#EXT-X-ENDLIST\n')], {}, 'without a byte range'],
    ['a live playlist (no ENDLIST)', [variant('a-240.m3u8', mediaPlaylist(A, 1000, [[1000, 500]]).replace('#EXT-X-ENDLIST\n', ''))], { [A]: { '1000-1499': sha('1') } }, 'ENDLIST'],
    ['an init section not at the start', [variant('a-240.m3u8', mediaPlaylist(A, 1000, [[1000, 500]]).replace('"1000@0"', '"1000@10"'))], { [A]: { '1000-1499': sha('1') } }, 'does not start'],
    ['an init section over a hashed range', [variant('a-240.m3u8', mediaPlaylist(A, 1200, [[1200, 300]]))], { [A]: { '1000-1499': sha('1'), '1200-1499': sha('2') } }, 'overlaps'],
    [
      'a segment on another host',
      [variant('a-240.m3u8', mediaPlaylist(A, 1000, [[1000, 500]]).replace(/\nb?a-240-fragmented\.mp4\n#EXT-X-ENDLIST/, '\nhttp://127.0.0.1:6000/a-240-fragmented.mp4\n#EXT-X-ENDLIST'))],
      { [A]: { '1000-1499': sha('1') } },
      "not on the playlist's origin",
    ],
    ['a media file named like a playlist', [variant('a-240.m3u8', mediaPlaylist('a-240.m3u8', 10, [[10, 10]]))], { 'a-240.m3u8': { '10-19': sha('1') } }, 'both a playlist and a media file'],
    [
      'subtitles',
      [{ ...variant('s.m3u8', '#EXTM3U\n#EXTINF:10,\ns.vtt\n#EXT-X-ENDLIST\n'), reference: { uri: 's.m3u8', kind: 'media' as const, mediaType: 'SUBTITLES' } }],
      {},
      'not mirrored',
    ],
  ])('refuses %s', (_name, variants, json, message) => {
    const result = plan(variants, json);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason.type).toBe('bad-playlist');
      expect(result.reason.message).toContain(message);
    }
  });

  it('names the foreign URL it refused', () => {
    const text = mediaPlaylist(A, 1000, [[1000, 500]]).replace(`\n${A}\n#EXT-X-ENDLIST`, '\nhttp://127.0.0.1:6000/x/a.mp4\n#EXT-X-ENDLIST');
    const result = plan([variant('a-240.m3u8', text)], { [A]: { '1000-1499': sha('1') } });
    expect(result).toMatchObject({ ok: false, reason: { url: 'http://127.0.0.1:6000/x/a.mp4' } });
  });
});

describe('parseSegmentsSha256', () => {
  it.each([
    ['not JSON', '{'],
    ['a bad hash', JSON.stringify({ a: { '0-9': 'xyz' } })],
    ['a bad range', JSON.stringify({ a: { '9-0': sha('a') } })],
    ['a non-object', '[]'],
  ])('refuses %s', (_name, text) => {
    expect(parseSegmentsSha256(text).ok).toBe(false);
  });
});

describe('checkInitSectionBytes', () => {
  const box = (type: string, body = 0) => {
    const b = Buffer.alloc(8 + body);
    b.writeUInt32BE(8 + body, 0);
    b.write(type, 4, 'latin1');
    return b;
  };
  it('accepts ftyp + moov, refuses anything else', () => {
    expect(checkInitSectionBytes(Buffer.concat([box('ftyp', 16), box('moov', 100)]))).toEqual({ ok: true, boxes: ['ftyp', 'moov'] });
    expect(checkInitSectionBytes(Buffer.concat([box('moov', 100), box('ftyp', 16)])).ok).toBe(false);
    expect(checkInitSectionBytes(Buffer.concat([box('ftyp', 16)])).ok).toBe(false);
    expect(checkInitSectionBytes(Buffer.concat([box('ftyp', 16), box('moov', 100)]).subarray(0, 100)).ok).toBe(false);
    expect(checkInitSectionBytes(Buffer.concat([box('ftyp', 16), box('moov', 100), box('moof', 8)])).ok).toBe(false);
    expect(checkInitSectionBytes(Buffer.alloc(64, 0xff)).ok).toBe(false);
  });
});
