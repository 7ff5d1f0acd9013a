import { z } from 'zod';
import type { InstanceConfig } from '../config/index.js';
import { createTransactor, type Prisma } from '../db/index.js';
import { completed, type JobQueue } from '../jobs/index.js';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import { ok } from '../lib/result.js';
import type { Metrics } from '../metrics/index.js';
import { createDeliveryHandlers, createDeliveryService, createHostHealthStore, createPrismaSignerKeyStore, createSafeFetcherTransport, DELIVERY_JOB, type DeliveryJobKinds, type DeliveryMetrics, type DeliveryQueue } from './delivery/index.js';
import { createPrismaActorLookupStore } from './actor-lookup-store.js';
import { createPrismaFollowStore } from './follows/follow-store.js';
import { createFollowService, type ActivitySender } from './follows/follows.js';
import { registerFederationHandlers, type ParsedRemoteVideo } from './inbox/activity-handlers.js';
import { createPrismaInboxActivityStore } from './inbox/inbox-activity-store.js';
import type { InboxDispatcher } from './inbox/inbox-dispatcher.js';
import { createInboxProcessor, INBOX_JOB, type InboundActivity, type InboxJobKinds } from './inbox/process-activity.js';
import type { VideoEventEmitter } from '../videos/video-events.js';
import { createPrismaInboxVideoStore } from './inbox/inbox-video-store.js';
import { createPrismaInboxStore } from './inbox/inbox-store.js';
import { createActivityReceiver } from './inbox/receive-activity.js';
import { createLocalDocuments, type MagnetBuilder } from './local/index.js';
import { createRemoteActorResolver } from './remote/index.js';
import { createRemoteVideoStore } from './import/remote-video-store.js';
import { createPrismaActorStore, createPublicKeyResolver, createSafeFetcher, createWebfingerResolver, parseActorDocument, type LookupAddresses, type SignWith } from './remote/index.js';
import { createVideoImporter } from './import/video-importer.js';
import { createRemoteRateCounts } from './import/remote-rate-counts.js';
import { BACKFILL_JOB, createOutboxBackfill, createPrismaBackfillStore, type BackfillJobKinds } from './backfill/index.js';
import { createPrismaVideoPublisherStore } from './publish/video-publisher-store.js';
import { createVideoPublisher, VIEWS_JOB, type VideoPublisherJobKinds } from './publish/video-publisher.js';
import { buildAccept, buildFollow, buildReject, buildUndo, describeRefusal, parseVideoObject, withContext } from './vocab/index.js';

export const REFRESH_JOB = 'activitypub-refresher';
/** inbound activity types forwarded to a local video's followers (when LD-signed) */
const FORWARDED_TYPES = ['Like', 'Dislike', 'Undo', 'Create', 'Update', 'View'] as const;
const refreshPayload = z.object({ videoId: z.number().int().positive() });
export type FederationJobKinds = InboxJobKinds & DeliveryJobKinds & VideoPublisherJobKinds & { [REFRESH_JOB]: { videoId: number } } & BackfillJobKinds;

/** The vocab parser in the shape the remote module's resolvers take. */
/**
 * Builds the federation side of an instance: remote fetching, key resolution, delivery, follows,
 * the inbox (receive → store → process), and the publishing of our videos. Registers its job
 * kinds on `jobs`, its inbox handlers on `inbox` and the publisher's listeners on `events`; the
 * instance mounts the routers.
 */
export function createFederation(deps: {
  config: InstanceConfig;
  prisma: Prisma;
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  metrics: Metrics;
  magnet: MagnetBuilder;
  /** the instance's job queue: federation registers its kinds (inbox, delivery, views, backfill, refresh) */
  jobs: JobQueue<FederationJobKinds>;
  /** the inbox's dispatch table: federation registers its handlers (follows, videos, deletes, announces) */
  inbox: InboxDispatcher;
  /** video events: federation publishes our videos' changes to their followers */
  events: VideoEventEmitter;
  /** tests only: how outbound requests resolve host names (see InstanceOptions.lookup) */
  lookup?: LookupAddresses;
}) {
  const { config, prisma, clock, logger, urls, jobs, inbox, events } = deps;
  const fed = config.federation;
  const userAgent = `mirrortube (+${urls.base})`;

  const fetcher = createSafeFetcher({
    allowPrivateAddresses: fed.allow_private_addresses,
    timeoutMs: fed.delivery.timeout,
    connectTimeoutMs: Math.min(5000, fed.delivery.timeout),
    maxBytes: fed.max_activity_size,
    maxRedirects: 3,
    userAgent,
    clock,
    negativeCacheTtlMs: 30_000,
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
  });
  const webfinger = createWebfingerResolver({ fetcher, scheme: () => (config.webserver.https ? 'https' : 'http') });
  const actorStore = createPrismaActorStore(prisma);
  const actors = createPrismaActorLookupStore(prisma);

  // Our GETs are signed by the instance actor, keyId the bare actor URL (as PeerTube does).
  let instanceKey: SignWith | undefined;
  const signWith = async (): Promise<SignWith> => {
    if (!instanceKey) {
      const actor = await actors.instanceActor();
      instanceKey = { keyId: actor.url, privateKeyPem: actor.privateKeyPem! };
    }
    return instanceKey;
  };
  const fetchPublicKey = createPublicKeyResolver({ fetcher, store: actorStore, clock, maxAgeMs: fed.remote_object_max_age, parseActor: parseActorDocument, webfinger, signWith, minRefreshIntervalMs: 60_000 });
  const resolver = createRemoteActorResolver({ actors, clock, fetcher, webfinger, store: actorStore, parseActor: parseActorDocument, signWith, maxAgeMs: fed.remote_object_max_age, localHost: urls.host });

  const queue: DeliveryQueue = {
    enqueue: (kind, payload, options, tx) => jobs.enqueue(kind, payload, options, tx),
    wake: () => jobs.wake(DELIVERY_JOB),
  };
  const deliveryMetrics: DeliveryMetrics = {
    deliveryFinished(outcome) {
      deps.metrics.federation.delivery(outcome === 'delivered' ? 'delivered' : outcome === 'failed' ? 'gave-up' : outcome === 'retried' ? 'failed' : 'deferred');
    },
    deliverySkipped: () => deps.metrics.federation.delivery('skipped'),
  };
  const deliveryOptions = {
    concurrency: fed.delivery.concurrency,
    requestTimeoutMs: fed.delivery.timeout,
    pauseAfterFailures: fed.delivery.failures_before_pause,
    pauseBaseMs: fed.delivery.pause,
    pauseMaxMs: fed.delivery.max_pause,
    maxAttempts: fed.delivery.max_attempts,
    retry: { baseMs: fed.delivery.retry_delay, maxMs: fed.delivery.max_retry_delay },
    maxAgeMs: fed.delivery.max_age,
    userAgent,
  };
  const deliveryStores = { hosts: createHostHealthStore(prisma), signerKeys: createPrismaSignerKeyStore(prisma) };
  const delivery = createDeliveryService({ ...deliveryStores, queue, clock, logger, metrics: deliveryMetrics, options: deliveryOptions, localHost: urls.host });
  // Our activities go out LD-signed (so they can be forwarded). The caller's transaction, if any,
  // carries the jobs: the queue wakes the delivery workers once it commits.
  const sender: ActivitySender = {
    async send(activity, target, tx) {
      await delivery.deliver(activity, target, tx);
      if (!tx) delivery.wake();
    },
  };

  const follows = createFollowService({
    store: createPrismaFollowStore(prisma),
    actors,
    transactor: createTransactor(prisma),
    clock,
    urls,
    logger,
    resolver,
    sender: {
      // follow changes commit with their deliveries; wake the workers right after
      send: async (activity, target, tx) => {
        await sender.send(activity, target, tx);
        if (tx) setImmediate(() => delivery.wake());
      },
    },
    activities: {
      follow: (i) => withContext(buildFollow(i), 'Follow'),
      accept: (i) => withContext(buildAccept(i), 'Accept'),
      reject: (i) => withContext(buildReject(i), 'Reject'),
      undo: (i) => withContext(buildUndo(i), 'Follow'),
    },
    config: {
      followersEnabled: config.followers.instance.enabled,
      manualApproval: config.followers.instance.manual_approval,
      autoFollowBack: config.followings.instance.auto_follow_back.enabled,
    },
  });

  const local = createLocalDocuments({ prisma, urls, magnet: deps.magnet });
  const remoteVideos = createRemoteVideoStore({ prisma, clock });
  const publisher = createVideoPublisher({
    store: createPrismaVideoPublisherStore(prisma),
    actors,
    clock,
    logger,
    local,
    follows,
    sender,
    viewsUpdateDelayMs: config.views.videos.local_buffer_update_interval,
    scheduleViewsUpdate: async (videoId, runAt) => {
      // a view while the job runs queues the next one: the count it sent may already be stale
      await jobs.enqueue(VIEWS_JOB, { videoId }, { runAt, dedupeKey: `views-${videoId}`, dedupePendingOnly: true });
    },
  });

  const parseVideo = (object: unknown) => {
    const r = parseVideoObject(object);
    if (!r.ok) return { ok: false as const, reason: { type: r.reason.type, message: describeRefusal(r.reason) } };
    const v = r.value;
    const accountUrl = v.accountUrl ?? v.attributedTo[0];
    const channelUrl = v.channelUrl ?? v.attributedTo[1] ?? v.attributedTo[0];
    if (!accountUrl || !channelUrl) return { ok: false as const, reason: { type: 'missing-owner', message: 'attributedTo names no account and channel' } };
    const parsed: ParsedRemoteVideo = {
      ...v,
      accountUrl,
      channelUrl,
      hls: v.hls,
    };
    return ok(parsed);
  };

  const fetchObject = async (url: string) => {
    const r = await fetcher.fetchJson(url, { signWith: await signWith() });
    if (r.ok) return ok(r.json);
    return { ok: false as const, reason: { type: r.reason.type, message: r.reason.message, ...('status' in r.reason ? { status: r.reason.status } : {}) } };
  };
  const rateCounts = createRemoteRateCounts({ fetchObject, logger });
  const importer = createVideoImporter({ resolver, remoteVideos, parseVideo, fetchObject, rateCounts });

  const inboxVideos = createPrismaInboxVideoStore(prisma);

  /**
   * PeerTube forwards activities about our videos (ratings, mirrors' CacheFiles) to the video's
   * followers, unchanged, so their LD signature still vouches for the original actor.
   */
  async function forwardToVideoFollowers(activity: InboundActivity): Promise<void> {
    if (activity.body.signature === undefined) return;
    // the video is the object (Like), the object's object (Create CacheFile) or one level deeper (Undo of a Create CacheFile)
    const urlsOf: string[] = [];
    let node: unknown = activity.body.object;
    for (let depth = 0; depth < 3 && node !== undefined && node !== null; depth++) {
      if (typeof node === 'string') urlsOf.push(node);
      else if (typeof node === 'object' && typeof (node as { id?: unknown }).id === 'string') urlsOf.push((node as { id: string }).id);
      node = typeof node === 'object' ? (node as { object?: unknown }).object : undefined;
    }
    const owners = await inboxVideos.localVideoOwners(urlsOf);
    if (!owners) return;
    const instance = await actors.instanceActor();
    const senderHost = new URL(activity.actor).host;
    const inboxes = (await follows.followerInboxes([instance.id, owners.channelActorId, owners.accountActorId])).filter((i) => new URL(i).host !== senderHost);
    if (inboxes.length > 0) {
      await delivery.forwardActivity(JSON.stringify(activity.body), { signerActorId: instance.id, inboxes });
      delivery.wake();
    }
  }
  inbox.afterProcessed(FORWARDED_TYPES, forwardToVideoFollowers);

  // a follow accepted brings the followed actor's back catalogue (backfill/)
  const backfill = createOutboxBackfill({
    store: createPrismaBackfillStore(prisma),
    fetchObject,
    importObject: (doc, url) => importer.importObject(doc, url),
    enqueue: async (actorUrl) => {
      await jobs.enqueue(BACKFILL_JOB, { actorUrl }, { dedupeKey: `outbox-${actorUrl}` });
      jobs.wake(BACKFILL_JOB);
    },
    logger,
    limits: { maxVideos: fed.backfill.max_videos, maxPages: fed.backfill.max_pages },
  });
  registerFederationHandlers(inbox, { videos: inboxVideos, follows, resolver, importer, afterAccept: backfill.afterAccept });

  const receiver = createActivityReceiver({
    store: createPrismaInboxStore(prisma),
    clock,
    host: urls.host,
    fetchPublicKey,
    maxBodyBytes: fed.max_activity_size,
    maxCollectionItems: fed.max_collection_items,
    jobKind: INBOX_JOB,
    jobMaxAttempts: 5,
    wake: () => jobs.wake(INBOX_JOB),
    metrics: {
      received: (outcome, type) => {
        if (outcome === 'duplicate') deps.metrics.federation.inboxActivity(type, 'duplicate');
        else if (outcome !== 'accepted') deps.metrics.federation.inboxActivity(type, 'refused');
      },
      signatureRefused: (reason) => deps.metrics.federation.signatureRefused(reason),
    },
  });

  jobs.register(
    INBOX_JOB,
    createInboxProcessor({
      store: createPrismaInboxActivityStore(prisma),
      inbox,
      clock,
      logger,
      concurrency: fed.inbox_workers,
      onProcessed: (type, outcome) => deps.metrics.federation.inboxActivity(type, outcome),
    }),
  );
  const deliveryHandlers = createDeliveryHandlers({ ...deliveryStores, queue, clock, metrics: deliveryMetrics, options: deliveryOptions, transport: createSafeFetcherTransport(fetcher) });
  jobs.register(DELIVERY_JOB, deliveryHandlers[DELIVERY_JOB]);
  jobs.register(VIEWS_JOB, publisher.viewsJob);
  jobs.register(BACKFILL_JOB, backfill.job);
  jobs.register(REFRESH_JOB, {
    concurrency: 2,
    maxAttempts: 3,
    parse: (raw: unknown) => refreshPayload.parse(raw),
    run: async (payload: { videoId: number }) => completed({ outcome: await importer.refresh(payload.videoId) }),
  });

  // our videos' changes reach their followers
  events.on('published', publisher.events.published);
  events.on('updated', publisher.events.updated);
  events.on('deleting', publisher.events.deleting);
  events.on('viewed', publisher.events.viewed);

  /** Schedules a fetch of a remote video whose copy is older than `remote_object_max_age`. */
  async function refreshIfStale(video: { id: number; isLocal: boolean; lastFetchedAt: Date | null }): Promise<void> {
    if (video.isLocal) return;
    const age = video.lastFetchedAt ? clock.now().getTime() - video.lastFetchedAt.getTime() : Infinity;
    if (age < fed.remote_object_max_age) return;
    await jobs.enqueue(REFRESH_JOB, { videoId: video.id }, { dedupeKey: `refresh-${video.id}` });
  }

  return { fetcher, fetchPublicKey, resolver, delivery, follows, receiver, local, remoteVideos, importer, refreshIfStale, sender };
}

export type Federation = ReturnType<typeof createFederation>;
