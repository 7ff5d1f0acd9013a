import { describe, expect, it } from 'vitest';
import { createTranscodeRerun } from '../../../src/videos/transcode-rerun.js';
import type { TranscodeStore } from '../../../src/videos/transcode-store.js';

function setup(video: { id: number; uuid: string; isLocal: boolean; isLive: boolean; state: number } | null, options: { pending?: boolean; enabled?: boolean; webVideos?: boolean } = {}) {
  const calls: string[] = [];
  const store: TranscodeStore = {
    referencedFiles: async () => null,
    bestHlsFilename: async () => null,
    markTranscodingFailed: async () => {},
    findForRerun: async () => video,
    transcodePending: async () => options.pending ?? false,
    requeue: async (id, enqueue) => {
      calls.push(`requeue ${id}`);
      await enqueue({} as never);
    },
  };
  const rerun = createTranscodeRerun({
    store,
    transcodingEnabled: options.enabled ?? true,
    outputs: { hls: true, webVideos: options.webVideos ?? false },
    jobKind: 'video-transcoding',
    enqueue: async (id) => void calls.push(`enqueue ${id}`),
    wake: () => void calls.push('wake'),
  });
  return { rerun, calls };
}

const uuid = '0d6c1c2e-8c2a-4c61-9d0e-3c9bb2f1a7a1';
const failed = { id: 5, uuid, isLocal: true, isLive: false, state: 7 };

describe('POST /videos/:id/transcoding (PeerTube rules)', () => {
  it('requeues a failed local video: state and job in one step, then wakes the workers', async () => {
    const { rerun, calls } = setup(failed);
    expect(await rerun('5', { transcodingType: 'hls' })).toEqual({ ok: true, value: undefined });
    expect(calls).toEqual(['requeue 5', 'enqueue 5', 'wake']);
  });

  it.each([
    ['an unknown video', null, {}, { transcodingType: 'hls' as const }, 'not-found'],
    ['a remote video', { ...failed, isLocal: false }, {}, { transcodingType: 'hls' as const }, 'not-allowed'],
    ['a live', { ...failed, isLive: true }, {}, { transcodingType: 'hls' as const }, 'not-allowed'],
    ['a video being imported', { ...failed, state: 3 }, {}, { transcodingType: 'hls' as const }, 'not-allowed'],
    ['transcoding disabled', failed, { enabled: false }, { transcodingType: 'hls' as const }, 'not-allowed'],
    ['a disabled output', failed, {}, { transcodingType: 'web-video' as const }, 'not-allowed'],
    ['a pending transcode', failed, { pending: true }, { transcodingType: 'hls' as const }, 'already-transcoding'],
  ])('refuses %s', async (_what, video, options, body, type) => {
    const { rerun, calls } = setup(video, options);
    expect(await rerun('5', body)).toMatchObject({ ok: false, reason: { type } });
    expect(calls).toEqual([]);
  });

  it('forceTranscoding skips the pending and state checks', async () => {
    const { rerun } = setup({ ...failed, state: 3 }, { pending: true });
    expect((await rerun('5', { transcodingType: 'hls', forceTranscoding: true })).ok).toBe(true);
  });
});
