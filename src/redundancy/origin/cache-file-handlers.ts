import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { RemoteActorResolver } from '../../federation/follows/follows.js';
import type { ActivityHandler, HandlerOutcome } from '../../federation/inbox/process-activity.js';
import { parseCacheFile, describeRefusal } from '../../federation/vocab/index.js';
import { recordFileCopy } from './file-cache-file.js';
import type { FileCopyRecordStore } from './file-copy-store.js';

export type AcceptFrom = 'nobody' | 'anybody' | 'followings';

/** States of another instance's copy as we record it: probed first when it copies one of our videos. */
export type RemoteCopyState = 'pending-probe' | 'active' | 'unhealthy';

/** What recording announced HLS copies needs (remote actors' VideoRedundancy rows). */
export interface RemoteCopyRecordStore {
  findVideoByUrl(url: string): Promise<{ id: number; uuid: string; isLocal: boolean; isLive: boolean; privacy: number } | null>;
  findCopyByUrl(url: string): Promise<{ id: number; actorId: number } | null>;
  /** a new expiry and base URL for a copy; fails when it is gone */
  renewCopy(id: number, change: { expiresOn: Date | null; fileUrl: string }): Promise<{ id: number; state: RemoteCopyState }>;
  /** creates the actor's copy of the video, or replaces its CacheFile id, base URL and expiry */
  saveCopy(copy: { videoId: number; actorId: number; url: string; fileUrl: string; expiresOn: Date | null; state: RemoteCopyState }): Promise<{ id: number; state: RemoteCopyState }>;
  /** drops the copy `url` of the actor `actorUrl`; how many went */
  removeCopyByUrl(url: string, actorUrl: string): Promise<number>;
}

const processed: HandlerOutcome = { status: 'processed' };
const skipped = (why: string): HandlerOutcome => ({ status: 'skipped', why });
const hostOf = (url: string) => new URL(url).host;

/**
 * The origin side of redundancy: mirrors announce their copies with Create/Update/Undo of a
 * CacheFile. A copy is recorded if `accept_from` allows its actor; only the announcing actor may
 * update or withdraw it. Copies of our own videos are probed before they are listed (state
 * `pending-probe` → `active` or `unhealthy`); copies of remote videos (forwarded by their origin)
 * are listed as the origin vouches for them. Web-video copies (PeerTube's `video/mp4` CacheFiles)
 * are recorded per file (file-cache-file.ts).
 */
export function createCacheFileHandlers(deps: {
  store: RemoteCopyRecordStore;
  clock: Clock;
  logger: Logger;
  resolver: RemoteActorResolver;
  acceptFrom: AcceptFrom;
  followedHosts(): Promise<string[]>;
  /** schedules the probe of a newly announced copy of one of our videos */
  scheduleProbe(redundancyId: number): Promise<void>;
  /** web-video copies: their rows, and the probe of a new copy of one of our files */
  fileCopies: FileCopyRecordStore;
  scheduleFileProbe(fileRedundancyId: number): Promise<void>;
}): Record<'Create:CacheFile' | 'Update:CacheFile' | 'Undo:CacheFile', ActivityHandler> {
  const { store } = deps;
  const log = deps.logger.child({ component: 'redundancy-origin' });

  async function record(actorUrl: string, object: unknown, update: boolean): Promise<HandlerOutcome> {
    const parsed = parseCacheFile(object);
    if (!parsed.ok) return skipped(`invalid CacheFile: ${describeRefusal(parsed.reason)}`);
    const cache = parsed.value;
    const mirrorHost = hostOf(actorUrl);
    if (hostOf(cache.id) !== mirrorHost || hostOf(cache.kind === 'hls' ? cache.baseUrl : cache.fileUrl) !== mirrorHost) return skipped('CacheFile id or URL on another host than its actor');
    if (deps.acceptFrom === 'nobody') return skipped('remote_redundancy.videos.accept_from is nobody');
    if (deps.acceptFrom === 'followings' && !(await deps.followedHosts()).includes(mirrorHost)) return skipped(`${mirrorHost} is not followed (accept_from: followings)`);
    const video = await store.findVideoByUrl(cache.videoUrl);
    // private and internal videos are never mirrored: answered as an unknown video
    if (!video || (video.isLocal && video.privacy !== 1 && video.privacy !== 2)) return skipped('unknown video');
    const actor = await deps.resolver.resolve({ url: actorUrl });
    if (!actor.ok) throw new Error(`cannot resolve ${actorUrl}: ${actor.reason.message}`);
    // no expires: a manual copy, kept until withdrawn (as PeerTube stores it)
    const expiresOn = cache.expires ? new Date(cache.expires) : null;
    if (cache.kind === 'web-video') {
      return recordFileCopy({ store: deps.fileCopies, logger: log, scheduleProbe: deps.scheduleFileProbe }, { cache, video, actorId: actor.value.id, expiresOn });
    }
    const existing = await store.findCopyByUrl(cache.id);
    if (existing && existing.actorId !== actor.value.id) return skipped('this CacheFile belongs to another actor');
    // a relay of a live (ours): its segments change every second, the relay checks each against our
    // live hash list before serving it; listed at once as a source of the live, never probed as a VOD copy
    const liveRelay = cache.liveRelay === true && video.isLive;
    if (liveRelay) {
      const row = existing
        ? await store.renewCopy(existing.id, { expiresOn, fileUrl: cache.baseUrl })
        : await store.saveCopy({ videoId: video.id, actorId: actor.value.id, url: cache.id, fileUrl: cache.baseUrl, expiresOn, state: 'active' });
      log.info({ video: video.uuid, mirror: mirrorHost, copy: row.id }, 'live relay announced');
      return processed;
    }
    if (update && !existing) log.info({ cacheFile: cache.id }, 'update of an unknown CacheFile: recorded as new');
    const row = existing
      ? await store.renewCopy(existing.id, { expiresOn, fileUrl: cache.baseUrl })
      : await store.saveCopy({ videoId: video.id, actorId: actor.value.id, url: cache.id, fileUrl: cache.baseUrl, expiresOn, state: video.isLocal ? 'pending-probe' : 'active' });
    if (video.isLocal && (!existing || row.state !== 'active')) await deps.scheduleProbe(row.id);
    log.info({ video: video.uuid, mirror: mirrorHost, expiresOn }, existing ? 'mirror renewed' : 'mirror announced');
    return processed;
  }

  return {
    'Create:CacheFile': (activity) => record(activity.actor, activity.body.object, false),
    'Update:CacheFile': (activity) => record(activity.actor, activity.body.object, true),
    async 'Undo:CacheFile'(activity) {
      const inner = activity.body.object as Record<string, unknown>;
      const cacheFile = inner?.type === 'CacheFile' ? inner : (inner?.object as Record<string, unknown> | undefined);
      const id = typeof cacheFile?.id === 'string' ? cacheFile.id : typeof cacheFile === 'string' ? cacheFile : undefined;
      if (!id) return skipped('Undo of a CacheFile without id');
      const count = await store.removeCopyByUrl(id, activity.actor);
      const files = await deps.fileCopies.removeByUrl(id, activity.actor);
      return count + files > 0 ? processed : skipped('no such copy of this actor');
    },
  };
}
