import { describe, expect, it } from 'vitest';
import {
  buildHlsArgs,
  buildImageArgs,
  buildWebVideoArgs,
  defaultTranscodeOptions,
  type AudioStreamInfo,
  type MediaProbe,
  type Rendition,
  type VideoStreamInfo,
} from '../../../src/transcoding/index.js';

const h264: VideoStreamInfo = { index: 0, codec: 'h264', codecTag: 'avc1', profile: 'High', level: 30, pixFmt: 'yuv420p', bitrate: 1_000_000, rotation: 0 };
const aacStereo: AudioStreamInfo = { index: 1, codec: 'aac', bitrate: 128_000, channels: 2, channelLayout: 'stereo', sampleRate: 44_100 };
const opus: AudioStreamInfo = { index: 1, codec: 'opus', bitrate: 96_000, channels: 2, channelLayout: 'stereo', sampleRate: 48_000 };

function probe(over: Partial<MediaProbe> = {}): MediaProbe {
  return {
    durationSeconds: 3,
    size: 100_000,
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    bitrate: 1_200_000,
    hasVideo: true,
    hasAudio: true,
    width: 320,
    height: 240,
    fps: 25,
    videoCodec: 'h264',
    audioCodec: 'aac',
    videoStream: h264,
    audioStream: aacStereo,
    ...over,
  };
}

const r240: Rendition = { resolution: 240, width: 320, height: 240, fps: 25 };
const r144: Rendition = { resolution: 144, width: 192, height: 144, fps: 25 };
const r0: Rendition = { resolution: 0, width: 0, height: 0, fps: 0 };

const hlsTail = (name: string) => [
  '-hls_time', '4', '-hls_list_size', '0', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
  '-hls_flags', 'single_file', '-hls_segment_filename', `${name}-fragmented.mp4`, '-f', 'hls', `${name}.m3u8`,
];
const head = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', '/in/source.mp4'];

describe('buildHlsArgs', () => {
  it('a two-rendition ladder in one process: split + scale graph, one HLS output per rendition, AAC copied', () => {
    const args = buildHlsArgs({
      input: '/in/source.mp4',
      uuid: 'abc',
      ladder: [r240, r144],
      probe: probe(),
      options: { ...defaultTranscodeOptions, threads: 2 },
    });
    // 240p target: min(320*240*25*0.17 = 326400, 1.3 * 1.2 Mbit/s); 144p: 192*144*25*0.19 = 131328.
    expect(args).toEqual([
      ...head,
      '-filter_complex', '[0:0]split=2[s0][s1];[s0]scale=320:240,format=yuv420p[v0];[s1]scale=192:144,format=yuv420p[v1]',
      '-map', '[v0]',
      '-c:v', 'libx264', '-preset', 'veryfast', '-maxrate:v', '326400', '-bufsize:v', '652800', '-b_strategy', '1', '-bf', '16',
      '-r', '25', '-g', '50', '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*2)',
      '-map', '0:1', '-c:a', 'copy',
      '-map_metadata', '-1', '-max_muxing_queue_size', '1024', '-threads', '2',
      ...hlsTail('abc-240'),
      '-map', '[v1]',
      '-c:v', 'libx264', '-preset', 'veryfast', '-maxrate:v', '131328', '-bufsize:v', '262656', '-b_strategy', '1', '-bf', '16',
      '-r', '25', '-g', '50', '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*2)',
      '-map', '0:1', '-c:a', 'copy',
      '-map_metadata', '-1', '-max_muxing_queue_size', '1024', '-threads', '2',
      ...hlsTail('abc-144'),
    ]);
  });

  it('one video rendition without audio: no split, no audio map; options change preset, segment and GOP', () => {
    const args = buildHlsArgs({
      input: '/in/source.mp4',
      uuid: 'abc',
      ladder: [{ resolution: 240, width: 320, height: 240, fps: 30 }],
      probe: probe({ hasAudio: false, audioStream: null, audioCodec: null, bitrate: 100_000 }),
      options: { preset: 'medium', threads: 0, segmentDuration: 6, keyframeInterval: 3 },
    });
    // Input bit rate is low: 100 kbit/s * 1.3 = 130000 < average.
    expect(args).toEqual([
      ...head,
      '-filter_complex', '[0:0]scale=320:240,format=yuv420p[v0]',
      '-map', '[v0]',
      '-c:v', 'libx264', '-preset', 'medium', '-maxrate:v', '130000', '-bufsize:v', '260000', '-b_strategy', '1', '-bf', '16',
      '-r', '30', '-g', '90', '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*3)',
      '-map_metadata', '-1', '-max_muxing_queue_size', '1024',
      '-hls_time', '6', '-hls_list_size', '0', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
      '-hls_flags', 'single_file', '-hls_segment_filename', 'abc-240-fragmented.mp4', '-f', 'hls', 'abc-240.m3u8',
    ]);
  });

  it('0p next to video: an audio-only output; non-AAC audio is encoded to stereo AAC at its rate', () => {
    const args = buildHlsArgs({
      input: '/in/source.mp4',
      uuid: 'abc',
      ladder: [r144, r0],
      probe: probe({ audioStream: opus, audioCodec: 'opus', videoStream: { ...h264, index: 2 } }),
      options: defaultTranscodeOptions,
    });
    const audio = ['-map', '0:1', '-c:a', 'aac', '-ac', '2', '-b:a', '96k'];
    const common = ['-map_metadata', '-1', '-max_muxing_queue_size', '1024'];
    expect(args).toEqual([
      ...head,
      '-filter_complex', '[0:2]scale=192:144,format=yuv420p[v0]',
      '-map', '[v0]',
      '-c:v', 'libx264', '-preset', 'veryfast', '-maxrate:v', '131328', '-bufsize:v', '262656', '-b_strategy', '1', '-bf', '16',
      '-r', '25', '-g', '50', '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*2)',
      ...audio, ...common, ...hlsTail('abc-144'),
      ...audio, ...common, ...hlsTail('abc-0'),
    ]);
  });

  it('audio-only input: no filter graph, a single audio output', () => {
    const args = buildHlsArgs({
      input: '/in/song.mp3',
      uuid: 'song',
      ladder: [r0],
      probe: probe({ hasVideo: false, videoStream: null, videoCodec: null, audioStream: { ...aacStereo, index: 0, codec: 'mp3', bitrate: 320_000 } }),
      options: defaultTranscodeOptions,
    });
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', '/in/song.mp3',
      '-map', '0:0', '-c:a', 'aac', '-ac', '2', '-b:a', '320k',
      '-map_metadata', '-1', '-max_muxing_queue_size', '1024',
      ...hlsTail('song-0'),
    ]);
  });

  it('refuses a ladder the input cannot feed (a bug in the caller)', () => {
    const noAudio = probe({ hasAudio: false, audioStream: null });
    expect(() => buildHlsArgs({ input: '/i', uuid: 'a', ladder: [r0], probe: noAudio, options: defaultTranscodeOptions })).toThrow();
    expect(() => buildHlsArgs({ input: '/i', uuid: 'a', ladder: [], probe: probe(), options: defaultTranscodeOptions })).toThrow();
    expect(() => buildHlsArgs({ input: '/i', uuid: '../x', ladder: [r240], probe: probe(), options: defaultTranscodeOptions })).toThrow();
  });
});

describe('buildWebVideoArgs', () => {
  it('a faststart MP4 per resolution', () => {
    const args = buildWebVideoArgs({ input: '/in/source.mp4', uuid: 'abc', rendition: r240, probe: probe(), options: defaultTranscodeOptions });
    expect(args).toEqual([
      ...head,
      '-map', '0:0', '-vf', 'scale=320:240,format=yuv420p',
      '-c:v', 'libx264', '-preset', 'veryfast', '-maxrate:v', '326400', '-bufsize:v', '652800', '-b_strategy', '1', '-bf', '16',
      '-r', '25', '-g', '50', '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*2)',
      '-map', '0:1', '-c:a', 'copy',
      '-map_metadata', '-1', '-max_muxing_queue_size', '1024',
      '-movflags', 'faststart', '-f', 'mp4', 'abc-240.mp4',
    ]);
  });

  it('0p: audio only', () => {
    const args = buildWebVideoArgs({ input: '/in/source.mp4', uuid: 'abc', rendition: r0, probe: probe(), options: defaultTranscodeOptions });
    expect(args).toEqual([
      ...head,
      '-map', '0:1', '-c:a', 'copy',
      '-map_metadata', '-1', '-max_muxing_queue_size', '1024',
      '-movflags', 'faststart', '-f', 'mp4', 'abc-0.mp4',
    ]);
  });
});

describe('buildImageArgs', () => {
  const tail = [
    '-filter_complex',
    expect.stringMatching(/split=2\[t\]\[p\];\[t\]scale=280:157:force_original_aspect_ratio=increase,crop=280:157:exact=1\[thumbnail\];\[p\]scale=850:480:force_original_aspect_ratio=increase,crop=850:480:exact=1\[preview\]$/),
    '-map', '[thumbnail]', '-frames:v', '1', '-q:v', '2', '-f', 'image2', 't.jpg',
    '-map', '[preview]', '-frames:v', '1', '-q:v', '2', '-f', 'image2', 'p.jpg',
  ];

  it('from the middle of a video, best of 50 frames', () => {
    const args = buildImageArgs({ input: '/in/v.mp4', probe: probe({ durationSeconds: 7 }), thumbnailFilename: 't.jpg', previewFilename: 'p.jpg' });
    expect(args).toEqual(['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-ss', '3.500', '-i', '/in/v.mp4', ...tail]);
    expect(args[10]).toMatch(/^\[0:0\]thumbnail=50,split=2/);
  });

  it('audio only: a black picture', () => {
    const args = buildImageArgs({ input: '/in/a.mp3', probe: { durationSeconds: 7, videoStream: null }, thumbnailFilename: 't.jpg', previewFilename: 'p.jpg' });
    expect(args).toEqual(['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=black:s=850x480:d=1', ...tail]);
    expect(args[10]).toMatch(/^\[0:0\]split=2/);
  });
});
