import { activityIds } from '../federation/vocab/index.js';
import type { Announcements } from './announcements.js';
import type { EngineContext } from './engine-deps.js';
import type { OurCopy } from './engine-ports.js';

/**
 * Renewal and eviction of our copies: Update CacheFile with the new expiry; Undo CacheFile, then
 * the files go (or stay withdrawn for the grace period); a new planned copy and its mirror job.
 */
export function createCopyLifecycle({ deps, log }: EngineContext, announcements: Announcements) {
  const { copies } = deps;

  async function evict(row: OurCopy, reason: string, options: { grace?: boolean } = {}): Promise<void> {
    const graceMs = deps.evictionGraceMs ?? 0;
    if (options.grace && graceMs > 0 && row.state === 'active') {
      // withdrawn (Undo) and no longer seeded, but its files stay for the grace period
      const graceUntil = new Date(deps.clock.now().getTime() + graceMs);
      await announcements.commit('undo', row, null, (tx) => copies.update(row.id, { state: 'grace', graceUntil, reason: `evicted: ${reason}` }, tx));
      await deps.onCopiesChanged?.();
      log.info({ video: row.videoUuid, reason, graceUntil }, 'copy evicted; its files are kept for the grace period');
      return;
    }
    if (row.state === 'grace') {
      await copies.remove(row.id);
      await deps.mirror.remove(row.videoUuid);
      log.info({ video: row.videoUuid, reason }, 'copy in grace deleted');
      return;
    }
    // files go after the row (a crash in between leaves an orphan folder, removed by the next tick)
    if (row.state === 'active') {
      await announcements.commit('undo', row, null, async (tx) => {
        if (!(await copies.remove(row.id, { tx }))) throw new Error(`copy ${row.id} is gone`);
      });
    } else {
      // a copy being written: its row goes first (the job then finds nothing to finish), then its
      // job is stopped and waited for, so that no download writes into folders being removed
      await copies.remove(row.id);
      await deps.cancelMirror?.(row.id);
    }
    await deps.onCopiesChanged?.();
    await deps.mirror.remove(row.videoUuid);
    log.info({ video: row.videoUuid, reason }, 'copy evicted');
  }

  return {
    evict,

    /** The copy of `videoId` lives on until `expiresAt`: announced with Update CacheFile when active. */
    async renew(videoId: number, expiresAt: number, reason: string): Promise<void> {
      const expiresOn = new Date(expiresAt);
      const row = await copies.findByVideo(videoId);
      if (!row) throw new Error(`no copy of video ${videoId} to renew`);
      if (row.state === 'active') await announcements.commit('update', row, expiresOn, (tx) => copies.update(row.id, { expiresOn, reason }, tx));
      else await copies.update(row.id, { expiresOn, reason });
    },

    /**
     * A new copy, planned, and its mirror job (queued). A copy of the video in its grace period goes first
     * (a new row: its Create gets a new id); its files are reused: the mirror job verifies them in
     * place and announces without downloading.
     */
    async plan(video: { videoId: number; uuid: string }, copy: { strategy: string; sizeBytes: number; expiresOn: Date | null; reason: string }): Promise<number> {
      const existing = await copies.findByVideo(video.videoId);
      if (existing?.state === 'grace') await copies.remove(existing.id, { state: 'grace' });
      const id = await copies.create({
        videoId: video.videoId,
        url: activityIds.hlsCacheFile(deps.urls.base, video.uuid),
        fileUrl: deps.urls.redundancyHls(video.uuid),
        ...copy,
        createdAt: deps.clock.now(),
      });
      await deps.enqueueMirror(id);
      return id;
    },
  };
}

export type CopyLifecycle = ReturnType<typeof createCopyLifecycle>;
