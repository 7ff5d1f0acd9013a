import { describe, expect, it } from 'vitest';
import type { Rendition } from '../../../src/transcoding/index.js';
import { createTranscodeProgress, FFMPEG_SHARE, renditionWeight, transcodePercent, transcodeStages } from '../../../src/videos/transcode-progress.js';

const r144: Rendition = { resolution: 144, width: 256, height: 144, fps: 30 };
const r240: Rendition = { resolution: 240, width: 426, height: 240, fps: 30 };
const audio: Rendition = { resolution: 0, width: 0, height: 0, fps: 0 };

describe('transcode progress, weighted by the ladder', () => {
  it('costs a rendition its pixels per second (audio-only as a 144p)', () => {
    expect(renditionWeight(r240)).toBe(426 * 240 * 30);
    expect(renditionWeight(audio)).toBe(renditionWeight(r144));
  });

  it('makes one HLS stage for the whole ladder, then one stage per web video', () => {
    expect(transcodeStages([r144, r240], { hls: true, webVideos: false })).toEqual([{ name: 'hls', weight: renditionWeight(r144) + renditionWeight(r240) }]);
    expect(transcodeStages([r144, r240], { hls: true, webVideos: true }).map((s) => s.name)).toEqual(['hls', 'web-video-144', 'web-video-240']);
    expect(transcodeStages([r240], { hls: false, webVideos: false })).toEqual([]);
  });

  it.each([
    // stage, fraction, expected share of the ffmpeg part
    [0, 0, 0],
    [0, 0.5, 0.25], // HLS weighs as much as the web videos together
    [0, 1, 0.5],
    [1, 0, 0.5],
    [1, 1, 0.5 + 0.5 * (renditionWeight(r144) / (renditionWeight(r144) + renditionWeight(r240)))],
    [2, 0.5, 0.5 + 0.5 * ((renditionWeight(r144) + renditionWeight(r240) / 2) / (renditionWeight(r144) + renditionWeight(r240)))],
    [3, 0, 1], // past the last stage
    [0, 7, 0.5], // fractions clamp
    [1, Number.NaN, 0.5],
  ])('stage %d at %d: %d of the ffmpeg part', (stage, fraction, share) => {
    const stages = transcodeStages([r144, r240], { hls: true, webVideos: true });
    expect(transcodePercent(stages, stage, fraction)).toBeCloseTo(share * FFMPEG_SHARE, 6);
  });

  it('reports forward only, rounded to a tenth, and 100 only when done', () => {
    const seen: number[] = [];
    const progress = createTranscodeProgress(transcodeStages([r144], { hls: true, webVideos: true }), (p) => seen.push(p));
    progress.stage('hls', 0.5);
    progress.stage('hls', 0.4); // a report out of order
    progress.stage('hls', 1);
    progress.stage('web-video-144', 0.001); // rounds to what was reported already
    progress.stage('nope', 1); // not a stage of this job
    progress.stage('web-video-144', 1);
    expect(seen).toEqual([23.8, 47.5, 95]);
    progress.done();
    expect(seen.at(-1)).toBe(100);
  });

  it('has nothing to report without stages but still ends at 100', () => {
    const seen: number[] = [];
    const progress = createTranscodeProgress([], (p) => seen.push(p));
    progress.stage('hls', 0.5);
    progress.done();
    expect(seen).toEqual([100]);
  });
});
