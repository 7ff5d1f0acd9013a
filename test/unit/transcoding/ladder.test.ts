import { describe, expect, it } from 'vitest';
import { computeOutputFps, planLadder, resolutionKeys, type LadderConfig, type LadderInput, type ResolutionKey } from '../../../src/transcoding/index.js';

function config(enabled: ResolutionKey[], extra: Partial<LadderConfig> = {}): LadderConfig {
  const resolutions = Object.fromEntries(resolutionKeys.map((k) => [k, enabled.includes(k)])) as Record<ResolutionKey, boolean>;
  return { resolutions, hls: true, webVideos: false, ...extra };
}

const video = (width: number, height: number, fps = 25, hasAudio = true): LadderInput => ({ hasVideo: true, hasAudio, width, height, fps });
const allVideo: ResolutionKey[] = ['144p', '240p', '360p', '480p', '720p', '1080p', '1440p', '2160p'];

describe('planLadder', () => {
  const cases: { name: string; input: LadderInput; config: LadderConfig; expected: [number, number, number, number][] }[] = [
    {
      name: '1080p landscape, everything enabled: all at or below, top first',
      input: video(1920, 1080, 30),
      config: config(allVideo),
      expected: [[1080, 1920, 1080, 30], [720, 1280, 720, 30], [480, 854, 480, 30], [360, 640, 360, 30], [240, 426, 240, 30], [144, 256, 144, 30]],
    },
    {
      name: 'only enabled ones are produced',
      input: video(1280, 720),
      config: config(['720p', '240p', '1080p']),
      expected: [[720, 1280, 720, 25], [240, 426, 240, 25]],
    },
    {
      name: 'input between standard sizes: top is the highest enabled below it',
      input: video(1920, 800),
      config: config(['720p', '480p']),
      expected: [[720, 1728, 720, 25], [480, 1152, 480, 25]],
    },
    {
      name: 'alwaysTranscodeOriginalResolution keeps the input size on top',
      input: video(1920, 800),
      config: config(['720p', '480p'], { alwaysTranscodeOriginalResolution: true }),
      expected: [[800, 1920, 800, 25], [720, 1728, 720, 25], [480, 1152, 480, 25]],
    },
    {
      name: 'no enabled resolution fits: the input resolution (made even) is kept',
      input: video(320, 201),
      config: config(['360p', '720p']),
      expected: [[200, 318, 200, 25]],
    },
    {
      name: 'portrait: classed by its width, keeps its shape',
      input: video(720, 1280),
      config: config(['720p', '360p', '1080p']),
      expected: [[720, 720, 1280, 25], [360, 360, 640, 25]],
    },
    {
      name: 'the clip of the integration test: 320x240 with 240p and 144p',
      input: video(320, 240),
      config: config(['240p', '144p']),
      expected: [[240, 320, 240, 25], [144, 192, 144, 25]],
    },
    {
      name: '0p adds an audio-only rendition last',
      input: video(640, 360),
      config: config(['0p', '360p', '240p']),
      expected: [[360, 640, 360, 25], [240, 426, 240, 25], [0, 0, 0, 0]],
    },
    {
      name: '0p is skipped when the input has no audio',
      input: video(640, 360, 25, false),
      config: config(['0p', '360p']),
      expected: [[360, 640, 360, 25]],
    },
    {
      name: '60 fps: top keeps 60 even below 720p, lower renditions go to 30',
      input: video(854, 480, 60),
      config: config(['480p', '360p', '240p']),
      // 240 * 854 / 480 = 427 → 428, as ffmpeg's `scale=-2:240` rounds.
      expected: [[480, 854, 480, 60], [360, 640, 360, 30], [240, 428, 240, 30]],
    },
    {
      name: '60 fps at 1080p: 720p keeps 60 (720 and up keep the input rate)',
      input: video(1920, 1080, 60),
      config: config(['1080p', '720p', '480p']),
      expected: [[1080, 1920, 1080, 60], [720, 1280, 720, 60], [480, 854, 480, 30]],
    },
    {
      name: '50 fps below 720p goes to 25',
      input: video(1280, 720, 50),
      config: config(['720p', '360p']),
      expected: [[720, 1280, 720, 50], [360, 640, 360, 25]],
    },
    {
      name: 'odd input sizes give even outputs',
      input: video(641, 361),
      config: config(['360p', '144p']),
      expected: [[360, 640, 360, 25], [144, 256, 144, 25]],
    },
  ];

  it.each(cases)('$name', ({ input, config: cfg, expected }) => {
    const renditions = planLadder(input, cfg).map((r) => [r.resolution, r.width, r.height, r.fps]);
    expect(renditions).toEqual(expected);
  });

  it('audio-only input gives a single audio-only rendition, whatever is enabled', () => {
    const input: LadderInput = { hasVideo: false, hasAudio: true, width: 0, height: 0, fps: 0 };
    expect(planLadder(input, config(allVideo))).toEqual([{ resolution: 0, width: 0, height: 0, fps: 0 }]);
    expect(planLadder(input, config(['0p']))).toEqual([{ resolution: 0, width: 0, height: 0, fps: 0 }]);
  });

  it('an input with neither audio nor video gives nothing', () => {
    expect(planLadder({ hasVideo: false, hasAudio: false, width: 0, height: 0, fps: 0 }, config(allVideo))).toEqual([]);
  });
});

describe('computeOutputFps', () => {
  const cases: { inputFps: number; resolution: number; isOrigin: boolean; maxFps?: number; expected: number }[] = [
    { inputFps: 25, resolution: 240, isOrigin: false, expected: 25 },
    { inputFps: 30, resolution: 240, isOrigin: false, expected: 30 },
    { inputFps: 60, resolution: 240, isOrigin: false, expected: 30 },
    { inputFps: 50, resolution: 480, isOrigin: false, expected: 25 },
    { inputFps: 48, resolution: 360, isOrigin: false, expected: 24 },
    // No divisor: the smallest remainder wins (59 % 25 = 9), as in PeerTube.
    { inputFps: 59, resolution: 360, isOrigin: false, expected: 25 },
    { inputFps: 60, resolution: 480, isOrigin: true, expected: 60 },
    { inputFps: 60, resolution: 720, isOrigin: false, expected: 60 },
    { inputFps: 120, resolution: 1080, isOrigin: true, expected: 60 },
    { inputFps: 100, resolution: 1080, isOrigin: false, expected: 50 },
    { inputFps: 60, resolution: 1080, isOrigin: true, maxFps: 30, expected: 30 },
    { inputFps: 0.5, resolution: 240, isOrigin: true, expected: 1 },
    { inputFps: 0, resolution: 240, isOrigin: true, expected: 30 },
    { inputFps: 25, resolution: 0, isOrigin: false, expected: 0 },
  ];
  it.each(cases)('$inputFps fps at $resolution (origin: $isOrigin, max $maxFps) → $expected', ({ expected, isOrigin, ...rest }) => {
    expect(computeOutputFps({ ...rest, isOriginResolution: isOrigin })).toBe(expected);
  });
});
