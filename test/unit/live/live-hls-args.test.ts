import { describe, expect, it } from 'vitest';
import { effectiveLatencyMode, latencyProfile, LiveLatencyMode } from '../../../src/live/latency.js';
import { buildLiveHlsArgs, hlsCacheControl, planLiveRenditions } from '../../../src/live/live-hls-args.js';

const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('latency modes', () => {
  it.each([
    [LiveLatencyMode.DEFAULT, 4],
    [LiveLatencyMode.HIGH, 6],
    [LiveLatencyMode.SMALL, 1],
    [42, 4],
  ])('mode %i has %i s segments', (mode, seconds) => {
    expect(latencyProfile(mode).segmentSeconds).toBe(seconds);
  });

  it('the owner chooses only when the instance lets them', () => {
    expect(effectiveLatencyMode(3, true)).toBe(3);
    expect(effectiveLatencyMode(3, false)).toBe(1);
    expect(effectiveLatencyMode(7, true)).toBe(1);
  });
});

describe('live renditions', () => {
  const settings = { transcoding: true, resolutions: [144, 240, 720], alwaysOriginal: true };
  it('keeps enabled resolutions below the input, plus the input height', () => {
    expect(planLiveRenditions({ height: 480, fps: 30 }, settings).map((r) => r.height)).toEqual([480, 240, 144]);
  });
  it('without always_transcode_original_resolution, only the lower ones (the input when none fits)', () => {
    expect(planLiveRenditions({ height: 480, fps: 30 }, { ...settings, alwaysOriginal: false }).map((r) => r.height)).toEqual([240, 144]);
    expect(planLiveRenditions({ height: 90, fps: 25 }, { ...settings, alwaysOriginal: false }).map((r) => r.height)).toEqual([90]);
  });
  it('unknown input height: the enabled resolutions', () => {
    expect(planLiveRenditions({ height: null, fps: null }, { ...settings, alwaysOriginal: true }).map((r) => r.height)).toEqual([720, 240, 144]);
  });
  it('without transcoding: the stream as published', () => {
    expect(planLiveRenditions({ height: 1080, fps: 60 }, { ...settings, transcoding: false })).toEqual([{ height: null, bitrate: 0 }]);
  });
});

describe('live ffmpeg argv', () => {
  const base = { inputUrl: 'tcp://127.0.0.1:5000', outputDir: '/hls/u', hasAudio: true, startNumber: 1765130000, threads: 2 };

  it('one HLS variant per rendition, fMP4 segments named to never repeat, segment length and GOP of the latency mode', () => {
    const args = buildLiveHlsArgs({ ...base, renditions: [{ height: 240, bitrate: 300_000 }, { height: 144, bitrate: 150_000 }], latency: latencyProfile(LiveLatencyMode.SMALL) });
    expect(args.slice(0, 12)).toContain('tcp://127.0.0.1:5000');
    expect(argAfter(args, '-filter_complex')).toBe('[0:v]split=2[vs0][vs1];[vs0]scale=w=-2:h=240[vout0];[vs1]scale=w=-2:h=144[vout1]');
    expect(argAfter(args, '-var_stream_map')).toBe('v:0,a:0 v:1,a:1');
    expect(argAfter(args, '-hls_time')).toBe('1');
    expect(argAfter(args, '-force_key_frames')).toBe('expr:gte(t,n_forced*1)');
    expect(argAfter(args, '-hls_segment_type')).toBe('fmp4');
    expect(argAfter(args, '-hls_segment_filename')).toBe('/hls/u/%v-%d.mp4');
    expect(argAfter(args, '-hls_fmp4_init_filename')).toBe('%v-init-1765130000.mp4');
    // one variant: ffmpeg 5.1 would not expand %v in the init section's name
    const single = buildLiveHlsArgs({ ...base, renditions: [{ height: 240, bitrate: 300_000 }], latency: latencyProfile(LiveLatencyMode.SMALL) });
    expect(argAfter(single, '-hls_fmp4_init_filename')).toBe('0-init-1765130000.mp4');
    expect(argAfter(args, '-start_number')).toBe('1765130000');
    expect(argAfter(args, '-master_pl_name')).toBe('master.m3u8');
    expect(argAfter(args, '-hls_flags')).toContain('temp_file');
    expect(args).toContain('zerolatency');
    expect(args.at(-1)).toBe('/hls/u/%v.m3u8');
  });

  it('remux only, no audio: copies the video, maps no audio', () => {
    const args = buildLiveHlsArgs({ ...base, hasAudio: false, renditions: [{ height: null, bitrate: 0 }], latency: latencyProfile(LiveLatencyMode.DEFAULT) });
    expect(args).not.toContain('-filter_complex');
    expect(argAfter(args, '-c:v:0')).toBe('copy');
    expect(args).not.toContain('0:a:0');
    expect(argAfter(args, '-var_stream_map')).toBe('v:0');
    expect(argAfter(args, '-hls_time')).toBe('4');
    expect(args).not.toContain('zerolatency');
  });
});

describe('cache headers of HLS files', () => {
  it.each([
    ['uuid/0-1765130000.mp4', 'public, max-age=31536000, immutable'],
    ['uuid/1-init-1765130000.mp4', 'public, max-age=31536000, immutable'],
    ['uuid/master.m3u8', 'public, max-age=0, no-cache'],
    ['uuid/0.m3u8', 'public, max-age=0, no-cache'],
    ['uuid/segments-sha256.json', 'public, max-age=0, no-cache'],
    ['uuid/0b5e2a8c-1234-4abc-9def-0123456789ab-240-fragmented.mp4', undefined],
    ['uuid/0b5e2a8c-1234-4abc-9def-0123456789ab-240.torrent', undefined],
  ])('%s → %s', (path, expected) => {
    expect(hlsCacheControl(path)).toBe(expected);
  });
});
