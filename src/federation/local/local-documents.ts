import type { InstanceUrls } from '../../lib/instance-urls.js';
import type { FollowStore } from '../follows/follows.js';
import type { ActorLookup } from '../ports.js';
import {
  activityIds,
  buildActorObject,
  buildAnnounce,
  buildCreate,
  buildOrderedCollection,
  buildOrderedCollectionPage,
  buildVideoObject,
  COLLECTION_PAGE_SIZE,
  contextFor,
  publicAudience,
  withContext,
} from '../vocab/index.js';
import { actorObjectInput, type LocalActor, type LocalActorQueries } from './local-actors.js';
import { countersOnly, type VideoInteractionItems } from './video-interaction-collections.js';
import { localVideoAudience, videoObjectInput, type MagnetBuilder, type VideoForActivityPub } from './video-object-input.js';

type Window = { start: number; count: number };
type PageRequest = { page?: number | undefined; size?: number | undefined };

/** Our videos as federation sees them (local-video-store.ts over the database). */
export interface LocalVideoQueries {
  /** A video we serve as an object (by uuid or short uuid): local, published, public or unlisted. */
  findFederated(ref: string): Promise<VideoForActivityPub | null>;
  /** Local public published videos, newest first, optionally of one account or channel. */
  listPublic(window: { start: number; count: number }, of?: { accountId?: number; channelId?: number }): Promise<{ total: number; data: VideoForActivityPub[] }>;
}

/** Mirrors of a local video's HLS playlist to list in its object (the redundancy engine's, later). */
export type RedundanciesOf = (video: VideoForActivityPub) => Promise<{ baseUrl: string }[]>;

/**
 * The ActivityPub documents of this instance's actors, videos and collections, as served on GET
 * and as delivered: loaded from the database, built by the vocab module, `@context` included.
 */
export function buildLocalDocuments(deps: {
  stores: {
    actors: LocalActorQueries;
    videos: LocalVideoQueries;
    follows: Pick<FollowStore, 'acceptedActorUrls'>;
    actorLookup: Pick<ActorLookup, 'findInstanceActor'>;
  };
  urls: InstanceUrls;
  magnet: MagnetBuilder;
  redundanciesOf?: RedundanciesOf;
  interactions?: VideoInteractionItems;
}) {
  const { urls } = deps;
  const { actors, videos, follows: followStore, actorLookup } = deps.stores;
  const sharedInbox = `${urls.base}/inbox`;

  /** OrderedCollection summary without `page`, OrderedCollectionPage with it. */
  async function collection<T>(id: string, request: PageRequest, load: (window: Window) => Promise<{ total: number; items: T[] }>) {
    if (request.page === undefined) {
      const { total } = await load({ start: 0, count: 0 });
      return withContext(buildOrderedCollection({ id, totalItems: total }), 'Collection');
    }
    const size = request.size ?? COLLECTION_PAGE_SIZE;
    const { total, items } = await load({ start: (request.page - 1) * size, count: size });
    return withContext(buildOrderedCollectionPage({ id, page: request.page, size, totalItems: total, items }), 'Collection');
  }

  async function videoObject(video: VideoForActivityPub) {
    const audience = localVideoAudience(video);
    if (!audience) throw new Error(`video ${video.uuid} (privacy ${video.privacy}) does not federate`);
    const redundancies = deps.redundanciesOf ? await deps.redundanciesOf(video) : [];
    return buildVideoObject(videoObjectInput(video, deps, { audience, redundancies }));
  }

  /** Create of a local video by its account (the object embedded, without its own context). */
  async function createVideoActivity(video: VideoForActivityPub) {
    const { to, cc, ...object } = await videoObject(video);
    return buildCreate({ actor: video.channel.account.actor.url, object, audience: { to, cc } });
  }

  /** Announce of a local video by one of our actors (channel, instance actor): PeerTube shares each public video so. */
  function announceVideo(video: VideoForActivityPub, by: { id: number; url: string }) {
    const account = video.channel.account.actor;
    return buildAnnounce({
      id: activityIds.announce(video.url, by.id),
      actor: by.url,
      object: video.url,
      audience: publicAudience([account.followersUrl ?? `${account.url}/followers`]),
    });
  }

  async function follows(actor: LocalActor, direction: 'followers' | 'following', window: Window) {
    const { total, urls } = await followStore.acceptedActorUrls({ localActorId: actor.row.id, direction, start: window.start, count: window.count });
    return { total, items: urls };
  }

  const instanceActor = () => actorLookup.findInstanceActor();
  /** Who shares a local video: its channel and the instance actor, for public videos (as we announce them). */
  const sharers = async (video: VideoForActivityPub) => {
    if (video.privacy !== 1) return [];
    const instance = await instanceActor();
    return [video.channel.actor, ...(instance ? [instance] : [])];
  };

  return {
    actors,
    videos,

    actorDocument(actor: LocalActor) {
      return withContext(buildActorObject(actorObjectInput(actor, sharedInbox)), 'Actor');
    },

    followers(actor: LocalActor, request: PageRequest) {
      return collection(actor.row.followersUrl ?? `${actor.row.url}/followers`, request, (w) => follows(actor, 'followers', w));
    },

    following(actor: LocalActor, request: PageRequest) {
      return collection(actor.row.followingUrl ?? `${actor.row.url}/following`, request, (w) => follows(actor, 'following', w));
    },

    /**
     * An account's outbox: Create of its public videos; a channel's: its Announces of its videos;
     * the instance actor's: its Announces of every public video (what PeerTube crawls on follow).
     */
    outbox(actor: LocalActor, request: PageRequest) {
      return collection<object>(actor.row.outboxUrl ?? `${actor.row.url}/outbox`, request, async (window) => {
        const of = actor.kind === 'account' ? { accountId: actor.accountId } : actor.kind === 'channel' ? { channelId: actor.channelId ?? -1 } : {};
        const { total, data } = await videos.listPublic(window, of);
        const items = actor.kind === 'account' ? await Promise.all(data.map(createVideoActivity)) : data.map((v) => announceVideo(v, actor.row));
        return { total, items };
      });
    },

    /** The Video object, `@context` first, as served on /videos/watch/:uuid. */
    async videoDocument(video: VideoForActivityPub) {
      return withContext(await videoObject(video), 'Video');
    },

    async createVideoDocument(video: VideoForActivityPub) {
      return withContext(await createVideoActivity(video), 'Video');
    },

    createVideoActivity,
    announceVideo,

    /** likes, dislikes, comments: see video-interaction-collections.ts; announces: our channel's and instance actor's shares. */
    videoCollection(video: VideoForActivityPub, which: 'likes' | 'dislikes' | 'announces' | 'comments', request: PageRequest) {
      const id = `${video.url}/${which}`;
      return collection(id, request, async (window) => {
        if (which !== 'announces') return (deps.interactions ?? countersOnly)(video, which, window);
        const shares = (await sharers(video)).map((a) => activityIds.announce(video.url, a.id));
        return { total: shares.length, items: shares.slice(window.start, window.start + window.count) };
      });
    },

    /** The Announce listed as `<video url>/announces/<actor db id>` (null: that actor does not share the video). */
    async announceDocument(video: VideoForActivityPub, actorDbId: number) {
      const by = (await sharers(video)).find((a) => a.id === actorDbId);
      return by ? withContext(announceVideo(video, by), 'Announce') : null;
    },

    /** An actor's playlists (PeerTube's `/accounts/:name/playlists`, `/video-channels/:name/playlists`): we have none yet. */
    playlists(actor: LocalActor, request: PageRequest) {
      return collection<string>(`${actor.row.url}/playlists`, request, () => Promise.resolve({ total: 0, items: [] }));
    },

    chaptersDocument(video: VideoForActivityPub) {
      return { '@context': contextFor('Chapters'), id: `${video.url}/chapters`, hasPart: [] as unknown[] };
    },
  };
}

export type LocalDocuments = ReturnType<typeof buildLocalDocuments>;
