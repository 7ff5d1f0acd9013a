/**
 * The video read side: what the REST API, the search and the routers that load "the video of this
 * URL" need, as plain data. `createPrismaVideoReadStore` (video-read-store.ts) answers each read
 * with one query.
 */
import type { VideoAttributes, VideoCounters } from './video-columns.js';

/** An actor as the API shows it (never its keys). */
export interface ActorView {
  url: string;
  /** null for local actors */
  host: string | null;
  inboxUrl: string;
  sharedInboxUrl: string | null;
  avatarFilename: string | null;
  avatarWidth: number | null;
  updatedAt: Date;
}

export interface AccountView {
  id: number;
  name: string;
  displayName: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
  actor: ActorView;
  /** the local user owning the account (null for remote accounts) */
  user: { id: number } | null;
}

export interface ChannelView {
  id: number;
  name: string;
  displayName: string;
  description: string | null;
  support: string | null;
  createdAt: Date;
  updatedAt: Date;
  actor: ActorView;
  account: AccountView;
}

/** The columns of a video the API shows, with its channel. */
export interface VideoSummary extends VideoAttributes, VideoCounters {
  id: number;
  uuid: string;
  url: string;
  lastFetchedAt: Date | null;
  publishedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  channel: ChannelView;
}

export interface VideoFileView {
  id: number;
  resolution: number;
  width: number | null;
  height: number | null;
  fps: number;
  /** bytes (a bigint column: database rows fit too) */
  size: number | bigint;
  extname: string;
  filename: string;
  torrentFilename: string | null;
  infoHash: string | null;
  fileUrl: string | null;
  torrentUrl: string | null;
}

export interface StreamingPlaylistView {
  id: number;
  type: number;
  playlistFilename: string;
  segmentsSha256Filename: string;
  playlistUrl: string | null;
  segmentsSha256Url: string | null;
  files: VideoFileView[];
}

/** A video with everything GET /api/v1/videos/:id shows. */
export interface VideoDetails extends VideoSummary {
  /** web video files, with the healthy web-video copies other instances announced (extra webseeds) */
  files: (VideoFileView & { redundancies: { fileUrl: string }[] })[];
  streamingPlaylists: StreamingPlaylistView[];
  /** healthy mirrored copies of the HLS playlist (expired ones are removed by a periodic tick) */
  redundancies: { fileUrl: string }[];
  /** remote videos: the origin's trackers (from its Video object); empty for ours */
  trackerUrls: string[];
}

export interface VideoListQuery {
  start: number;
  count: number;
  sort?: string | undefined;
  isLocal?: boolean | undefined;
  /** include private/unlisted videos (admins, owners) */
  includeAll?: boolean;
  channelId?: number;
  accountId?: number;
  search?: string | undefined;
}

/** The sorts of GET /api/v1/videos (PeerTube's names), newest published first by default. */
export const VIDEO_SORTS = ['name', '-name', 'duration', '-duration', 'createdAt', '-createdAt', 'publishedAt', '-publishedAt', 'views', '-views', 'likes', '-likes', '-trending', '-hot'] as const;

/** The reads of the video API (one query each). */
export interface VideoQueries {
  /** the video of an id, uuid or short uuid, with files, playlists and healthy mirrors */
  findByRef(ref: string): Promise<VideoDetails | null>;
  list(q: VideoListQuery): Promise<{ total: number; data: VideoSummary[] }>;
  /** the id of the video whose ActivityPub id is `url` */
  findIdByUrl(url: string): Promise<number | null>;
}
