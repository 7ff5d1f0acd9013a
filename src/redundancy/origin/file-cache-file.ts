import type { HandlerOutcome } from '../../federation/inbox/process-activity.js';
import type { RemoteCacheFile } from '../../federation/vocab/index.js';
import type { Logger } from '../../lib/logger.js';
import type { FileCopyRecordStore } from './file-copy-store.js';

type WebVideoCacheFile = Extract<RemoteCacheFile, { kind: 'web-video' }>;

/**
 * Records a web-video copy (PeerTube 6.3's CacheFile whose url is a `video/mp4` link with
 * height, fps and size) as a copy of the video's web video file of that height (and fps): a copy
 * of one of our files waits for its probe (`pending-probe`), a copy of a remote video's file
 * (forwarded by its origin) is listed as the origin vouches for it. A CacheFile whose size is not
 * our file's is not a copy of it.
 */
export async function recordFileCopy(
  deps: { store: FileCopyRecordStore; logger: Logger; scheduleProbe(fileRedundancyId: number): Promise<void> },
  input: { cache: WebVideoCacheFile; video: { id: number; uuid: string; isLocal: boolean }; actorId: number; expiresOn: Date | null },
): Promise<HandlerOutcome> {
  const { cache, video } = input;
  const file = await deps.store.findWebVideoFile(video.id, cache.height, cache.fps);
  if (!file) return { status: 'skipped', why: `the video has no ${cache.height}p web video file` };
  if (cache.size !== null && Number(file.size) !== cache.size) return { status: 'skipped', why: `the copy is ${cache.size} bytes, the ${cache.height}p file ${file.size}` };
  const existing = await deps.store.findByUrl(cache.id);
  if (existing && existing.actorId !== input.actorId) return { status: 'skipped', why: 'this CacheFile belongs to another actor' };
  const row = await deps.store.save({
    videoFileId: file.id,
    actorId: input.actorId,
    url: cache.id,
    fileUrl: cache.fileUrl,
    expiresOn: input.expiresOn,
    sizeBytes: Number(file.size),
    state: video.isLocal ? 'pending-probe' : 'active',
  });
  if (video.isLocal && (row.created || row.state !== 'active')) await deps.scheduleProbe(row.id);
  deps.logger.info({ video: video.uuid, mirror: new URL(cache.fileUrl).host, resolution: cache.height, expiresOn: input.expiresOn }, row.created ? 'web video mirror announced' : 'web video mirror renewed');
  return { status: 'processed' };
}
