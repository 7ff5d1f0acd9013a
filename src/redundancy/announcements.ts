import { activityIds, buildCreate, buildUndo, buildUpdate, directAudience, withContext } from '../federation/vocab/index.js';
import { localHlsCacheFile } from '../federation/local/index.js';
import type { Tx } from '../lib/tx.js';
import type { EngineContext } from './engine-deps.js';

export type AnnouncementKind = 'create' | 'update' | 'undo';

/**
 * Create, Update or Undo of our CacheFile, sent to the video's origin, committed with the change
 * of our copy it announces.
 */
export function createAnnouncements({ deps }: EngineContext) {
  /**
   * The activity, addressed to the video's account (the same CacheFile as GET of its id serves).
   * `copyId` (the row's id) makes the Create's id unique per copy: a video mirrored again after an
   * eviction is announced anew (the origin deduplicates activities by id).
   */
  async function build(kind: AnnouncementKind, videoId: number, expiresOn: Date | null, copyId: number) {
    const video = await deps.catalogue.video(videoId);
    if (!video) throw new Error(`video ${videoId} not found`);
    const me = await deps.catalogue.ourActor();
    const cacheFile = localHlsCacheFile(deps.urls, video, expiresOn, directAudience(video.accountUrl));
    const { to, cc, ...object } = cacheFile;
    const create = buildCreate({ id: `${activityIds.create(cacheFile.id)}/${copyId}`, actor: me.url, object: { ...object, to, cc }, audience: { to, cc } });
    const activity =
      kind === 'create'
        ? create
        : kind === 'update'
          ? buildUpdate({ id: activityIds.update(cacheFile.id, deps.clock.now()), actor: me.url, object: { ...object, to, cc }, audience: { to, cc } })
          : buildUndo({ actor: me.url, object: create, audience: { to, cc } });
    return { activity: withContext(activity, 'CacheFile'), options: { signerActorId: me.id, inboxes: [video.originInbox] } };
  }

  return {
    /**
     * Queues the announcement (a durable delivery job) together with the change of our copy, in
     * one transaction: a crash cannot leave an active copy unannounced, a renewal unsent or an
     * eviction unwithdrawn. The activity is built before (reads outside the transaction).
     */
    async commit<T>(kind: AnnouncementKind, copy: { id: number; videoId: number }, expiresOn: Date | null, change: (tx: Tx) => Promise<T>): Promise<T> {
      const built = await build(kind, copy.videoId, expiresOn, copy.id);
      try {
        return await deps.transactor.transaction(async (tx) => {
          const result = await change(tx);
          await deps.sender.send(built.activity, built.options, tx);
          return result;
        });
      } catch (err) {
        deps.metrics?.failure('announce');
        throw err;
      }
    },
  };
}

export type Announcements = ReturnType<typeof createAnnouncements>;
