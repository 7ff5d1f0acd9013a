import type { CopyLifecycle } from './copy-lifecycle.js';
import { copySizeEstimate } from './copy-size.js';
import type { EngineContext } from './engine-deps.js';

export type ManualCopyResult = { ok: true; redundancyId: number } | { ok: false; status: 400 | 404 | 409; message: string };

/** Copies an administrator asks for or removes (the redundancy admin API). */
export function createManualCopies({ deps }: EngineContext, lifecycle: CopyLifecycle, reportCopies: () => Promise<void>) {
  const { copies } = deps;
  return {
    async addManual(videoId: number): Promise<ManualCopyResult> {
      const video = await deps.catalogue.video(videoId);
      if (!video) return { ok: false, status: 404, message: 'Video not found' };
      if (video.isLocal) return { ok: false, status: 400, message: 'Cannot create a redundancy of a local video' };
      if (video.isLive) return { ok: false, status: 400, message: 'Cannot create a redundancy of a live video' };
      // a copy in its grace period is reused (verified in place by the mirror job)
      const existing = await copies.findByVideo(videoId);
      if (existing && existing.state !== 'grace') return { ok: false, status: 409, message: 'This video is already mirrored' };
      const size = copySizeEstimate(video.hls?.files ?? [], video.durationSeconds);
      const redundancyId = await lifecycle.plan({ videoId, uuid: video.uuid }, { strategy: 'manual', sizeBytes: size, expiresOn: null, reason: 'asked by an administrator' });
      return { ok: true, redundancyId };
    },

    async evict(redundancyId: number, reason: string): Promise<boolean> {
      const row = await copies.find(redundancyId);
      if (!row) return false;
      await lifecycle.evict(row, reason);
      await reportCopies();
      return true;
    },
  };
}
