import { createKeyedSerializer } from '../../lib/keyed-serializer.js';
import { fail, ok, type Result } from '../../lib/result.js';
import type { RemoteActorResolver } from '../follows/follows.js';
import type { ParsedRemoteVideo } from './remote-videos.js';
import type { RemoteVideoStore } from './remote-videos.js';

export type ImportRefusal = { type: string; message: string };

/**
 * Turns a remote Video object (given, or fetched by URL) into stored rows: parses it, checks that its
 * owners live on its host, resolves them, and upserts the video. Used by the inbox (Create, Update,
 * Announce), by search by URL, and by the refresh of stale remote videos.
 */
export function createVideoImporter(deps: {
  resolver: RemoteActorResolver;
  remoteVideos: RemoteVideoStore;
  parseVideo(object: unknown): Result<ParsedRemoteVideo, ImportRefusal>;
  fetchObject(url: string): Promise<Result<unknown, ImportRefusal & { status?: number }>>;
  /** the origin's like/dislike counts of a video (its collections' totalItems) */
  rateCounts?(video: { url: string; likesUrl?: string | null; dislikesUrl?: string | null }): Promise<{ likes?: number; dislikes?: number }>;
}) {
  const hostOf = (url: string) => new URL(url).host;
  // one video is stored by one import at a time (an Announce and the Create of a video often
  // arrive together): the second waits, then updates what the first stored
  const serialize = createKeyedSerializer();
  // Deletes are serialized with the imports of their video. An import whose object was obtained
  // before a delete of that video (an Announce's fetch that waited for the Create) must not bring
  // the video back: `deletes` counts the deletions seen while imports of a URL are in flight.
  const inFlight = new Map<string, { imports: number; deletes: number }>();
  async function withImportOf<T>(url: string, run: (deletedSince: () => boolean) => Promise<T>): Promise<T> {
    const entry = inFlight.get(url) ?? { imports: 0, deletes: 0 };
    inFlight.set(url, entry);
    entry.imports++;
    const seen = entry.deletes;
    try {
      return await run(() => entry.deletes !== seen);
    } finally {
      if (--entry.imports === 0) inFlight.delete(url);
    }
  }

  async function importObject(doc: unknown, expectedUrl?: string, deletedSince?: () => boolean): Promise<Result<{ id: number; url: string }, ImportRefusal>> {
    const parsed = deps.parseVideo(doc);
    if (!parsed.ok) return fail({ type: 'invalid-video', message: `invalid Video object: ${parsed.reason.message}` });
    const video = parsed.value;
    if (expectedUrl && hostOf(video.url) !== hostOf(expectedUrl)) return fail({ type: 'origin-mismatch', message: `${expectedUrl} answered a video of another host` });
    const origin = hostOf(video.url);
    if (hostOf(video.accountUrl) !== origin || hostOf(video.channelUrl) !== origin) return fail({ type: 'origin-mismatch', message: 'video owners on another host than the video' });
    const store = (deleted: () => boolean) => serialize(video.url, async () => {
      if (deleted()) return fail({ type: 'deleted', message: `${video.url} was deleted by its owner after this object was obtained` });
      // the counts follow the origin (PeerTube reads them from the likes/dislikes collections);
      // read in turn, so that imports of one video are stored in the order they came
      const counts = deps.rateCounts ? await deps.rateCounts(video) : {};
      const [account, channel] = await Promise.all([deps.resolver.resolve({ url: video.accountUrl }), deps.resolver.resolve({ url: video.channelUrl })]);
      if (!account.ok) return fail({ type: 'owner-unavailable', message: `cannot resolve ${video.accountUrl}: ${account.reason.message}` });
      if (!channel.ok) return fail({ type: 'owner-unavailable', message: `cannot resolve ${video.channelUrl}: ${channel.reason.message}` });
      const stored = await deps.remoteVideos.upsert({ ...video, ...counts }, { account: account.value, channel: channel.value });
      return ok({ id: stored.id, url: video.url });
    });
    return deletedSince ? store(deletedSince) : withImportOf(video.url, store);
  }

  return {
    importObject,

    async importUrl(url: string): Promise<Result<{ id: number; url: string }, ImportRefusal>> {
      return withImportOf(url, async (deletedSince) => {
        const fetched = await deps.fetchObject(url);
        if (!fetched.ok) return fail({ type: fetched.reason.type, message: `cannot fetch ${url}: ${fetched.reason.message}` });
        return importObject(fetched.value, url, deletedSince);
      });
    },

    /** Deletes a remote video for its owner (`actorUrl`), in turn with the imports of that video. */
    async remove(videoUrl: string, actorUrl: string): Promise<boolean> {
      const removed = await serialize(videoUrl, () => deps.remoteVideos.remove(videoUrl, actorUrl));
      const entry = inFlight.get(videoUrl);
      if (removed && entry) entry.deletes++;
      return removed;
    },

    /** Fetches a remote video again; a video its origin says is gone (404/410) is removed here too. */
    async refresh(videoId: number): Promise<'refreshed' | 'deleted' | 'unchanged' | 'failed'> {
      const video = await deps.remoteVideos.find(videoId);
      if (!video || video.isLocal) return 'unchanged';
      const fetched = await deps.fetchObject(video.url);
      if (!fetched.ok) {
        if (fetched.reason.status === 404 || fetched.reason.status === 410) {
          await deps.remoteVideos.removeById(videoId);
          return 'deleted';
        }
        return 'failed';
      }
      const imported = await importObject(fetched.value, video.url);
      return imported.ok ? 'refreshed' : 'failed';
    },
  };
}

export type VideoImporter = ReturnType<typeof createVideoImporter>;
