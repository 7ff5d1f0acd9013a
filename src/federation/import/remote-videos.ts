import type { ActorRecord } from '../ports.js';
import type { RemoteHlsPlaylist, RemoteVideo } from '../vocab/index.js';

/** What we keep of a remote Video object: the vocab parser's output, with counts instead of collection URLs. */
export type RemoteVideoInput = Pick<
  RemoteVideo,
  | 'uuid'
  | 'url'
  | 'name'
  | 'description'
  | 'durationSeconds'
  | 'views'
  | 'category'
  | 'licence'
  | 'language'
  | 'tags'
  | 'nsfw'
  | 'state'
  | 'isLive'
  | 'commentsEnabled'
  | 'downloadEnabled'
  | 'waitTranscoding'
  | 'support'
  | 'published'
  | 'originallyPublishedAt'
  | 'webVideoFiles'
  | 'trackerUrls'
> &
  Partial<Pick<RemoteVideo, 'thumbnailUrl' | 'previewUrl' | 'likesUrl' | 'dislikesUrl'>> & {
  /** the origin's counts (its collections' totalItems); absent: unknown, the stored count is kept */
  likes?: number;
  dislikes?: number;
  hls: Pick<RemoteHlsPlaylist, 'playlistUrl' | 'segmentsSha256Url' | 'files' | 'infohashes'> | null;
};

/**
 * Remote accounts, channels and videos as stored: what a Create/Update of a Video writes, what a
 * Delete removes (remote-video-store.ts over the database). Remote files keep the origin's URLs.
 */
export interface RemoteVideoStore {
  /** Creates or replaces a remote video (and its owners' account and channel). Returns its id and whether it was new. */
  upsert(video: RemoteVideoInput, owners: { account: ActorRecord; channel: ActorRecord }): Promise<{ id: number; created: boolean }>;
  /** Deletes a remote video if `actorUrl` owns it (its account or channel actor, or an actor of its host). */
  remove(videoUrl: string, actorUrl: string): Promise<boolean>;
  setViews(videoUrl: string, views: number): Promise<void>;
  /** a stored video (ours or remote) by id */
  find(videoId: number): Promise<{ url: string; isLocal: boolean } | null>;
  /** deletes a stored video by id */
  removeById(videoId: number): Promise<void>;
}

/** The parsed remote Video with the URLs of its owners (attributedTo Person and Group). */
export type ParsedRemoteVideo = RemoteVideoInput & { accountUrl: string; channelUrl: string };
