import { describe, expect, it } from 'vitest';
import {
  buildMasterPlaylist,
  hlsBandwidth,
  parseMediaPlaylist,
  segmentRangeKey,
  serializeSegmentsSha256,
} from '../../../src/transcoding/index.js';
import { audioCodecString, avcCodecStringFromInit } from '../../../src/transcoding/codec-strings.js';

// What ffmpeg 5.1 writes for `-hls_segment_type fmp4 -hls_flags single_file`.
const ffmpegPlaylist = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="u-240-fragmented.mp4",BYTERANGE="1377@0"
#EXTINF:4.000000,
#EXT-X-BYTERANGE:59067@1377
u-240-fragmented.mp4
#EXTINF:1.000000,
#EXT-X-BYTERANGE:17295@60444
u-240-fragmented.mp4
#EXT-X-ENDLIST
`;

describe('parseMediaPlaylist', () => {
  it('reads the init section and the byte range of every segment', () => {
    const result = parseMediaPlaylist(ffmpegPlaylist);
    expect(result).toEqual({
      ok: true,
      playlist: {
        version: 7,
        targetDuration: 4,
        playlistType: 'VOD',
        endList: true,
        map: { uri: 'u-240-fragmented.mp4', range: { offset: 0, length: 1377 } },
        segments: [
          { uri: 'u-240-fragmented.mp4', duration: 4, range: { offset: 1377, length: 59067 } },
          { uri: 'u-240-fragmented.mp4', duration: 1, range: { offset: 60444, length: 17295 } },
        ],
      },
    });
  });

  it('a byte range without offset continues after the previous range of the same file', () => {
    const text = '#EXTM3U\n#EXTINF:2,\n#EXT-X-BYTERANGE:100@50\nf.mp4\n#EXTINF:2,\n#EXT-X-BYTERANGE:30\nf.mp4\n';
    const result = parseMediaPlaylist(text);
    expect(result.ok && result.playlist.segments.map((s) => s.range)).toEqual([
      { offset: 50, length: 100 },
      { offset: 150, length: 30 },
    ]);
  });

  it('accepts CRLF line ends and plain segment files', () => {
    const result = parseMediaPlaylist('#EXTM3U\r\n#EXTINF:6.006,title\r\nseg0.ts\r\n#EXT-X-ENDLIST\r\n');
    expect(result).toMatchObject({ ok: true, playlist: { map: null, endList: true, segments: [{ uri: 'seg0.ts', duration: 6.006, range: null }] } });
  });

  const invalid: [string, string, RegExp][] = [
    ['no header', '#EXTINF:4,\nf.mp4\n', /EXTM3U/],
    ['a master playlist is not a media playlist', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nx.m3u8\n', /without EXTINF/],
    ['broken byte range', '#EXTM3U\n#EXTINF:4,\n#EXT-X-BYTERANGE:12@x\nf.mp4\n', /byte range/],
    ['first range without offset', '#EXTM3U\n#EXTINF:4,\n#EXT-X-BYTERANGE:12\nf.mp4\n', /without offset/],
    ['negative duration', '#EXTM3U\n#EXTINF:-1,\nf.mp4\n', /EXTINF/],
    ['map without uri', '#EXTM3U\n#EXT-X-MAP:BYTERANGE="1@0"\n', /URI/],
  ];
  it.each(invalid)('rejects %s', (_name, text, message) => {
    const result = parseMediaPlaylist(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.message).toMatch(message);
  });
});

describe('segments-sha256.json format', () => {
  it('keys are "first-last" with the last byte inclusive, as in PeerTube 6.3', () => {
    // From a real PeerTube 6.3: init 0-1376, then "1377-60443" and "60444-77738" in a 77739-byte file.
    expect(segmentRangeKey({ offset: 1377, length: 59067 })).toBe('1377-60443');
    expect(segmentRangeKey({ offset: 60444, length: 17295 })).toBe('60444-77738');
  });

  it('is compact JSON with a final newline', () => {
    expect(serializeSegmentsSha256({ 'a-240-fragmented.mp4': { '10-19': 'ab' } })).toBe('{"a-240-fragmented.mp4":{"10-19":"ab"}}\n');
  });
});

describe('buildMasterPlaylist', () => {
  it('matches PeerTube 6.3 byte for byte', () => {
    const real =
      '#EXTM3U\n#EXT-X-VERSION:3\n\n\n' +
      '#EXT-X-STREAM-INF:BANDWIDTH=124383,RESOLUTION=426x240,FRAME-RATE=25,CODECS="avc1.640015,mp4a.40.2"\n' +
      '305bb626-7bcf-4e2f-8930-b997a89eb95f-240.m3u8\n' +
      '#EXT-X-STREAM-INF:BANDWIDTH=140960,RESOLUTION=640x360,FRAME-RATE=25,CODECS="avc1.64001e,mp4a.40.2"\n' +
      '4ce14aa1-5928-4c8a-8ef9-018e7b6da374-360.m3u8\n';
    // Given in ladder order (top first): the playlist lists the lowest first.
    const text = buildMasterPlaylist([
      { playlistFilename: '4ce14aa1-5928-4c8a-8ef9-018e7b6da374-360.m3u8', resolution: 360, width: 640, height: 360, fps: 25, bandwidth: hlsBandwidth(88100, 5.02), codecs: ['avc1.64001e', 'mp4a.40.2'] },
      { playlistFilename: '305bb626-7bcf-4e2f-8930-b997a89eb95f-240.m3u8', resolution: 240, width: 426, height: 240, fps: 25, bandwidth: hlsBandwidth(77739, 5.02), codecs: ['avc1.640015', 'mp4a.40.2'] },
    ]);
    expect(text).toBe(real);
  });

  it('leaves the audio-only rendition out unless it is the only one', () => {
    const audio = { playlistFilename: 'u-0.m3u8', resolution: 0, width: 0, height: 0, fps: 0, bandwidth: 1000, codecs: ['mp4a.40.2'] };
    const video = { playlistFilename: 'u-144.m3u8', resolution: 144, width: 256, height: 144, fps: 25, bandwidth: 5000, codecs: ['avc1.64000c', 'mp4a.40.2'] };
    expect(buildMasterPlaylist([video, audio])).not.toContain('u-0.m3u8');
    expect(buildMasterPlaylist([audio])).toBe('#EXTM3U\n#EXT-X-VERSION:3\n\n\n#EXT-X-STREAM-INF:BANDWIDTH=1000,CODECS="mp4a.40.2"\nu-0.m3u8\n');
  });

  it('bandwidth is size over whole seconds, the size itself for a sub-second video', () => {
    expect(hlsBandwidth(77739, 5)).toBe(124383);
    expect(hlsBandwidth(1000, 0.4)).toBe(1000);
  });
});

describe('codec strings', () => {
  function initWithAvcC(profile: number, flags: number, level: number): Uint8Array {
    // ... stsd > avc1 > avcC: size, 'avcC', version 1, profile, constraint flags, level, more.
    const avcC = [0, 0, 0, 19, 0x61, 0x76, 0x63, 0x43, 1, profile, flags, level, 0xff, 0xe1, 0, 0, 0, 0, 0];
    return new Uint8Array([0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65, ...new Array(20).fill(0x61), ...avcC, 0, 0, 0, 0]);
  }

  it.each([
    [0x64, 0x00, 0x15, 'avc1.640015'], // High 2.1, as in PeerTube's master playlist
    [0x64, 0x00, 0x1e, 'avc1.64001e'],
    [0x4d, 0x40, 0x1f, 'avc1.4d401f'],
    [0x42, 0xc0, 0x0d, 'avc1.42c00d'],
  ])('avcC profile %i flags %i level %i → %s', (profile, flags, level, expected) => {
    expect(avcCodecStringFromInit(initWithAvcC(profile, flags, level))).toBe(expected);
  });

  it('no avcC box (an audio-only init section): null', () => {
    expect(avcCodecStringFromInit(new Uint8Array([0, 0, 0, 8, 0x6d, 0x70, 0x34, 0x61, 0x61, 0x76, 0x63, 0x43]))).toBeNull();
  });

  it.each([
    ['aac', 'mp4a.40.2'],
    ['mp3', 'mp4a.40.34'],
    ['opus', 'opus'],
    ['flac', 'mp4a.40.2'],
  ])('%s → %s', (codec, expected) => {
    expect(audioCodecString(codec)).toBe(expected);
  });
});
