import type { Rendition } from '../transcoding/index.js';

/**
 * A transcode's progress, weighted by the ladder: the HLS run encodes every rendition at once, then
 * each web video is a run of its own; a rendition costs its pixels per second (an audio-only one
 * as little as a 144p). ffmpeg's runs fill the first 95 %; the rest (segment hashes, torrents,
 * placing the files) ends at 100 when the job publishes.
 */

/** One ffmpeg run of a transcode, with its cost. */
export interface TranscodeStage {
  name: string;
  weight: number;
}

/** The part of the job ffmpeg's runs cover, in percent. */
export const FFMPEG_SHARE = 95;

/** Cost of an audio-only rendition: about what a 144p costs. */
const AUDIO_ONLY_WEIGHT = 256 * 144 * 30;

export function renditionWeight(r: Rendition): number {
  if (r.resolution === 0 || r.width <= 0 || r.height <= 0) return AUDIO_ONLY_WEIGHT;
  return r.width * r.height * Math.max(1, r.fps);
}

/** The runs of a transcode, in the order the job makes them. */
export function transcodeStages(ladder: readonly Rendition[], outputs: { hls: boolean; webVideos: boolean }): TranscodeStage[] {
  const stages: TranscodeStage[] = [];
  if (outputs.hls && ladder.length > 0) stages.push({ name: 'hls', weight: ladder.reduce((sum, r) => sum + renditionWeight(r), 0) });
  if (outputs.webVideos) for (const r of ladder) stages.push({ name: `web-video-${r.resolution}`, weight: renditionWeight(r) });
  return stages;
}

/** Percent of the job done when the runs before `stage` are done and `fraction` (0–1) of `stage` is. */
export function transcodePercent(stages: readonly TranscodeStage[], stage: number, fraction: number): number {
  const total = stages.reduce((sum, s) => sum + s.weight, 0);
  if (total <= 0) return 0;
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const i = Math.min(Math.max(0, Math.trunc(stage)), stages.length);
  const before = stages.slice(0, i).reduce((sum, s) => sum + s.weight, 0);
  const current = i < stages.length ? stages[i]!.weight * f : 0;
  return ((before + current) / total) * FFMPEG_SHARE;
}

/** Reports a transcode's progress, never backwards (a retry of a stage does not undo the bar). */
export function createTranscodeProgress(stages: readonly TranscodeStage[], report: (percent: number) => void) {
  let last = -1;
  const emit = (percent: number): void => {
    const rounded = Math.round(percent * 10) / 10;
    if (rounded <= last) return;
    last = rounded;
    report(rounded);
  };
  return {
    /** `fraction` of the run `name` done. */
    stage(name: string, fraction: number): void {
      const i = stages.findIndex((s) => s.name === name);
      if (i >= 0) emit(transcodePercent(stages, i, fraction));
    },
    /** Published. */
    done(): void {
      emit(100);
    },
  };
}
