import { z } from 'zod';
import { completed, PermanentJobError, skipped, type JobHandler } from '../jobs/index.js';
import type { Announcements } from './announcements.js';
import type { EngineContext } from './engine-deps.js';
import { hlsFileSetDigest } from './file-set.js';
import { attemptMirror, type MirrorAttemptPorts } from './mirror-attempt.js';
import { describeMirrorFailure, isPermanentMirrorFailure, mirrorFailureStage } from './mirror/index.js';

const payloadSchema = z.object({ redundancyId: z.number().int().positive(), refresh: z.boolean().optional() });

/**
 * The mirror job of one copy: claims it (downloading), runs the mirror (download, verify, atomic
 * move), then commits it (active) and announces it (Create CacheFile, or Update after a refresh)
 * in one transaction. A failure leaves the copy to retry (planned) or failed, and announces nothing.
 */
export function createMirrorJob({ deps, log }: EngineContext, announcements: Announcements, reportCopies: () => Promise<void>): JobHandler<{ redundancyId: number; refresh?: boolean }> {
  const { copies } = deps;
  const attemptPorts: MirrorAttemptPorts = {
    loadVideo: (videoId) => deps.catalogue.video(videoId),
    copy: (input) => deps.mirror.copy(input),
    ...(deps.refetchVideo ? { refetchVideo: deps.refetchVideo } : {}),
  };

  return {
    concurrency: 2,
    maxAttempts: 5,
    parse: (raw) => payloadSchema.parse(raw),
    async run(payload, ctx) {
      const row = await copies.find(payload.redundancyId);
      if (!row) return skipped('copy no longer planned');
      const refresh = payload.refresh === true;
      if (refresh && row.state !== 'active') return skipped('not an active copy: nothing to refresh');
      if (!refresh && row.state === 'active') return skipped('already mirrored');
      const stored = await deps.catalogue.video(row.videoId);
      const storedHls = stored?.hls;
      if (!stored || !storedHls?.playlistUrl || !storedHls.segmentsSha256Url) throw new PermanentJobError('the video has no HLS playlist to mirror');
      // complete in place already (moved there just before a crash): verified, it is announced as is
      if (!refresh && (await deps.mirror.verify(stored.uuid)).ok) {
        await announcements.commit('create', row, row.expiresOn, (tx) =>
          copies.update(row.id, { state: 'active', lastVerifiedAt: deps.clock.now(), sourceFileSet: hlsFileSetDigest(storedHls) }, tx),
        );
        await deps.onCopiesChanged?.();
        return skipped('the copy was already complete in place: verified and announced');
      }
      if (!refresh) await copies.update(row.id, { state: 'downloading' });
      const attempt = await attemptMirror(attemptPorts, row.videoId, { signal: ctx.signal, reuse: refresh, onProgress: (percent) => ctx.reportProgress(percent) });
      if (attempt.type === 'gone') return skipped('the video is gone at its origin');
      if (attempt.type !== 'copied' && !(await copies.find(row.id))) {
        // evicted while being written (the eviction cancelled us and removes the files)
        return skipped('copy evicted while it was being written');
      }
      if (attempt.type !== 'copied') {
        const message = attempt.type === 'no-hls' ? 'the video has no HLS playlist to mirror' : describeMirrorFailure(attempt.reason);
        const permanent = attempt.type === 'no-hls' || isPermanentMirrorFailure(attempt.reason);
        deps.metrics?.failure(attempt.type === 'no-hls' ? 'download' : mirrorFailureStage(attempt.reason));
        // a refresh that fails leaves the current copy served (it still matches what it was made from)
        const failedState = refresh ? 'active' : 'failed';
        const retryState = refresh ? 'active' : 'planned';
        if (permanent || ctx.job.attempts >= ctx.job.maxAttempts) {
          // updatedAt from our clock: the failure's time, after which the video may be planned again
          await copies.update(row.id, { state: failedState, reason: message, countFailure: true, updatedAt: deps.clock.now() });
          throw new PermanentJobError(message);
        }
        await copies.update(row.id, { state: retryState, reason: message, countFailure: true });
        throw new Error(message);
      }
      const now = deps.clock.now();
      const video = await deps.catalogue.video(row.videoId);
      if (!video) throw new Error(`video ${row.videoId} not found`);
      // active (or brought up to date) and announced together (the delivery is a durable job)
      await announcements.commit(refresh ? 'update' : 'create', row, row.expiresOn, (tx) =>
        copies.update(row.id, { state: 'active', sizeBytes: attempt.totalBytes, lastVerifiedAt: now, reason: row.reason, sourceFileSet: attempt.fileSet }, tx),
      );
      deps.metrics?.downloaded({ videoUuid: video.uuid, originHost: new URL(video.url).host }, attempt.totalBytes);
      await deps.onCopiesChanged?.();
      await reportCopies();
      log.info({ video: video.uuid, bytes: attempt.totalBytes, refetched: attempt.refetched }, refresh ? 'copy refreshed and announced' : 'copy complete and announced');
      return completed({ bytes: attempt.totalBytes, ...(refresh ? { refreshed: true } : {}), ...(attempt.refetched ? { refetched: true } : {}) });
    },
    // Failure path (issue 10), also when crashes used the attempts up: the copy is failed, never left
    // "downloading"; the next tick's removeOrphans deletes its work folder.
    async onFailed({ payload, error }) {
      const parsed = payloadSchema.safeParse(payload);
      if (!parsed.success) return;
      await copies.failUnfinished(parsed.data.redundancyId, error.split('\n')[0]!.slice(0, 2000), deps.clock.now());
    },
  };
}
