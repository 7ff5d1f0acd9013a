import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../lib/logger.js';
import { removeAll } from './files.js';
import type { StorageLayout } from './storage-layout.js';
import type { QuotaStore } from './upload/quota-store.js';
import type { UploadSessionStore } from './upload/upload-session-store.js';
import { removeUnbornVideoFiles } from './video-leftovers.js';

export interface SweepReport {
  /** absolute paths removed */
  removed: string[];
  sessionsRemoved: number;
  sessionsReopened: number;
  reservationsReleased: number;
}

/**
 * At start-up, before any request or job of this process runs, removes what a crash of a previous
 * run (same storage, same worker id) left: multipart temporary files, image and transcoding work
 * folders (a transcode that resumes starts again from an empty folder), resumable files without a
 * session and sessions without a file, and the quota reservations of uploads that never became
 * videos, with every file already written under their video uuid. A resumable upload cut off while
 * it was being turned into a video receives again if its whole file is still there (the client's
 * retry of the last chunk completes it).
 */
export async function sweepAtStartup(deps: {
  layout: StorageLayout;
  owner: string;
  sessions: Pick<UploadSessionStore, 'ownedBy' | 'remove' | 'reopen'>;
  quota: Pick<QuotaStore, 'ownedBy' | 'release' | 'videoExists'>;
  logger: Logger;
}): Promise<SweepReport> {
  const { layout } = deps;
  const report: SweepReport = { removed: [], sessionsRemoved: 0, sessionsReopened: 0, reservationsReleased: 0 };
  const list = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  const remove = async (paths: string[]) => {
    await removeAll(paths);
    report.removed.push(...paths);
  };

  // No multipart upload, image generation or transcode of this process is running yet.
  await remove((await list(layout.uploadsTmp)).map((n) => join(layout.uploadsTmp, n)));
  await remove((await list(layout.transcodeTmp)).map((n) => join(layout.transcodeTmp, n)));
  await remove((await list(layout.storage.tmp)).filter((n) => n.startsWith('images-')).map((n) => join(layout.storage.tmp, n)));

  // Reservations whose upload died before its video row: the files written under its uuid go too.
  const reservations = await deps.quota.ownedBy(deps.owner);
  for (const r of reservations) {
    if (r.videoUuid && !(await deps.quota.videoExists(r.videoUuid))) {
      await remove(await removeUnbornVideoFiles(layout, r.videoUuid));
    }
  }

  const sessions = await deps.sessions.ownedBy(deps.owner);
  const kept = new Set<string>();
  for (const s of sessions) {
    const size = await stat(join(layout.resumableTmp, s.id)).then((st) => st.size, () => -1);
    const whole = size === s.size;
    if (s.state === 'done') {
      kept.add(s.id);
    } else if (s.state === 'processing' && whole) {
      await deps.sessions.reopen(s.id);
      report.sessionsReopened++;
      kept.add(s.id);
    } else if (s.state === 'receiving' && size >= 0) {
      kept.add(s.id);
    } else {
      await deps.sessions.remove(s.id);
      await remove([join(layout.resumableTmp, s.id)]);
      report.sessionsRemoved++;
    }
  }
  for (const r of reservations) {
    if (kept.has(r.id)) continue; // a live session keeps its reservation (a reopened one's uuid files are gone)
    await deps.quota.release(r.id);
    report.reservationsReleased++;
  }
  await remove((await list(layout.resumableTmp)).filter((n) => !kept.has(n)).map((n) => join(layout.resumableTmp, n)));

  if (report.removed.length + report.sessionsRemoved + report.reservationsReleased > 0) {
    deps.logger.info(
      { removed: report.removed.length, sessionsRemoved: report.sessionsRemoved, sessionsReopened: report.sessionsReopened, reservationsReleased: report.reservationsReleased },
      'removed what a previous run left behind',
    );
  }
  return report;
}
