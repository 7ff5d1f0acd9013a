import { fail, ok, type Result } from '../lib/result.js';
import type { Tx } from '../lib/tx.js';
import { VIDEO_STATES, VideoState } from './constants.js';
import { parseVideoRef } from './short-uuid.js';
import type { TranscodeStore } from './transcode-store.js';

export type RerunRefusal =
  | { type: 'not-found'; message: string }
  | { type: 'not-allowed'; message: string }
  | { type: 'already-transcoding'; message: string };

/** States in which PeerTube refuses a transcoding task (unless forced). */
const INCOMPATIBLE_STATES = new Set<number>([VideoState.TO_IMPORT, 6, 9]);

/**
 * PeerTube's `POST /api/v1/videos/:id/transcoding`: an administrator runs the transcoding of a
 * local video again (after a failure, or to redo it). The video goes back to "To transcode" and its
 * job is written in the same transaction.
 */
export function createTranscodeRerun(deps: {
  store: TranscodeStore;
  transcodingEnabled: boolean;
  /** the enabled outputs: a rerun may only ask for one of them */
  outputs: { hls: boolean; webVideos: boolean };
  jobKind: string;
  enqueue(videoId: number, tx: Tx): Promise<void>;
  wake(): void;
}) {
  return async (ref: string, body: { transcodingType: 'hls' | 'web-video'; forceTranscoding?: boolean }): Promise<Result<void, RerunRefusal>> => {
    const where = parseVideoRef(ref);
    const video = where ? await deps.store.findForRerun(where) : null;
    if (!video) return fail({ type: 'not-found', message: 'Video not found' });
    if (!video.isLocal) return fail({ type: 'not-allowed', message: 'Cannot run this task on a remote video' });
    if (video.isLive) return fail({ type: 'not-allowed', message: 'Cannot run this task on a live video' });
    if (!body.forceTranscoding && INCOMPATIBLE_STATES.has(video.state)) {
      return fail({ type: 'not-allowed', message: `Cannot run this task on a video with "${VIDEO_STATES[video.state] ?? video.state}" state` });
    }
    if (!deps.transcodingEnabled) return fail({ type: 'not-allowed', message: 'Cannot run transcoding job because transcoding is disabled on this instance' });
    const enabled = body.transcodingType === 'hls' ? deps.outputs.hls : deps.outputs.webVideos;
    if (!enabled) return fail({ type: 'not-allowed', message: `Cannot run a ${body.transcodingType} transcoding: that output is disabled on this instance` });
    if (!body.forceTranscoding && (await deps.store.transcodePending(video.id, deps.jobKind))) {
      return fail({ type: 'already-transcoding', message: 'This video is already being transcoded' });
    }
    await deps.store.requeue(video.id, (tx) => deps.enqueue(video.id, tx));
    deps.wake();
    return ok(undefined);
  };
}

export type TranscodeRerun = ReturnType<typeof createTranscodeRerun>;
