import { createHash } from 'node:crypto';
import { z } from 'zod';
import { completed, type JobHandler } from '../../jobs/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { VideoEvents } from '../../videos/ports.js';
import type { ActivitySender, FollowService } from '../follows/follows.js';
import type { LocalDocuments } from '../local/index.js';
import type { ActorLookup, ActorRecord } from '../ports.js';
import { activityIds, buildDelete, buildUpdate, buildView, directAudience, publicAudience, withContext } from '../vocab/index.js';

export const VIEWS_JOB = 'activitypub-views';
export type VideoPublisherJobKinds = { [VIEWS_JOB]: { videoId: number } };

/** The videos the publisher looks up (video-publisher-store.ts over the database). */
export interface VideoPublisherStore {
  /** a stored video (ours or remote) with its channel's actor (for a remote video: where its origin takes views) */
  find(videoId: number): Promise<{ id: number; uuid: string; url: string; isLocal: boolean; channelActor: ActorRecord } | null>;
}

/**
 * Tells followers about our videos (Create + the channel's and instance's Announce on publish,
 * Update on edit and on new view counts, Delete), and tells a remote video's origin about views
 * counted here. Every send is a durable delivery job.
 */
export function createVideoPublisher(deps: {
  store: VideoPublisherStore;
  actors: Pick<ActorLookup, 'instanceActor'>;
  clock: Clock;
  logger: Logger;
  local: LocalDocuments;
  follows: FollowService;
  sender: ActivitySender;
  /** schedules the (debounced) federation of a local video's view count */
  scheduleViewsUpdate(videoId: number, runAt: Date): Promise<void>;
  viewsUpdateDelayMs: number;
}): { events: VideoEvents; viewsJob: JobHandler<{ videoId: number }> } {
  const { store, actors } = deps;
  const log = deps.logger.child({ component: 'video-publisher' });

  async function context(videoId: number) {
    const row = await store.find(videoId);
    if (!row?.isLocal) return null;
    const video = await deps.local.videos.findFederated(row.uuid);
    if (!video) return null; // private, unpublished: nothing federates
    const instance = await actors.instanceActor();
    const account = video.channel.account.actor;
    const channel = video.channel.actor;
    const inboxes = await deps.follows.followerInboxes([instance.id, account.id, channel.id]);
    return { video, instance, account, channel, inboxes };
  }

  async function sendUpdate(videoId: number): Promise<void> {
    const c = await context(videoId);
    if (!c || c.inboxes.length === 0) return;
    const { to, cc, ...object } = await deps.local.videoDocument(c.video).then((d) => {
      const { ['@context']: _ctx, ...rest } = d as Record<string, unknown> & { to: string[]; cc: string[] };
      return rest as Record<string, unknown> & { to: string[]; cc: string[]; id: string };
    });
    const update = buildUpdate({ id: activityIds.update(c.video.url, deps.clock.now()), actor: c.account.url, object: object as { id: string }, audience: { to, cc } });
    await deps.sender.send(withContext(update, 'Video'), { signerActorId: c.account.id, inboxes: c.inboxes });
  }

  const events: VideoEvents = {
    async published(videoId, options) {
      const c = await context(videoId);
      if (!c || c.inboxes.length === 0) return;
      const first = await deps.local.createVideoActivity(c.video);
      // federated again after a Delete: a new id, or inboxes that saw the first Create could drop it
      const create = options?.again ? { ...first, id: activityIds.createAt(c.video.url, deps.clock.now()) } : first;
      await deps.sender.send(withContext(create, 'Video'), { signerActorId: c.account.id, inboxes: c.inboxes });
      for (const by of [c.channel, c.instance]) {
        await deps.sender.send(withContext(deps.local.announceVideo(c.video, by), 'Announce'), { signerActorId: by.id, inboxes: c.inboxes });
      }
      log.info({ video: c.video.uuid, inboxes: c.inboxes.length }, 'video federated');
    },

    updated: sendUpdate,

    async deleting(videoId) {
      const c = await context(videoId);
      if (!c || c.inboxes.length === 0) return;
      // every Delete of a video gets its own id: the video may come back (made public again) and go
      // again, and a repeated Delete with the same id and body is dropped by its receivers
      const del = buildDelete({ id: activityIds.deleteAt(c.video.url, deps.clock.now()), actor: c.account.url, object: c.video.url, audience: publicAudience([`${c.account.url}/followers`]) });
      await deps.sender.send(withContext(del, 'Delete'), { signerActorId: c.account.id, inboxes: c.inboxes });
    },

    async viewed(videoId) {
      const video = await store.find(videoId);
      if (!video) return;
      if (video.isLocal) {
        await deps.scheduleViewsUpdate(videoId, new Date(deps.clock.now().getTime() + deps.viewsUpdateDelayMs));
        return;
      }
      // A view of a remote video: tell its origin (as PeerTube does, from our instance actor).
      const instance = await actors.instanceActor();
      const origin = video.channelActor;
      const viewer = createHash('sha256').update(`${deps.clock.now().toISOString()}-${Math.random()}`).digest('hex').slice(0, 32);
      const view = buildView({ id: activityIds.view(instance.url, video.id, viewer), actor: instance.url, object: video.url, audience: directAudience(origin.url) });
      await deps.sender.send(withContext(view, 'View'), { signerActorId: instance.id, inboxes: [origin.sharedInboxUrl ?? origin.inboxUrl] });
    },
  };

  const viewsJob: JobHandler<{ videoId: number }> = {
    concurrency: 1,
    maxAttempts: 3,
    parse: (raw) => z.object({ videoId: z.number().int().positive() }).parse(raw),
    async run(payload) {
      await sendUpdate(payload.videoId);
      return completed({ sent: true });
    },
  };
  return { events, viewsJob };
}
