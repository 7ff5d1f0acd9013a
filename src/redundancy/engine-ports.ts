import type { Tx } from '../lib/tx.js';

/** The states of our copy of a remote video (the mirror side's state machine). */
export type OurCopyState = 'planned' | 'downloading' | 'active' | 'failed' | 'grace';

/** Our copy of a remote video, as the engine reads it. */
export interface OurCopy {
  id: number;
  videoId: number;
  videoUuid: string;
  /** the video's ActivityPub id (its host is the origin) */
  videoUrl: string;
  state: OurCopyState;
  /** the budget that holds it (a strategy, `host:<host>`, or `manual`); null read as manual */
  strategy: string | null;
  sizeBytes: number;
  expiresOn: Date | null;
  reason: string | null;
  createdAt: Date;
  graceUntil: Date | null;
  /** digest of the origin's HLS file set the copy was made from */
  sourceFileSet: string | null;
}

/** A copy about to be planned (state `planned`). */
export interface NewCopy {
  videoId: number;
  /** the CacheFile's id */
  url: string;
  /** our base URL of the copy */
  fileUrl: string;
  strategy: string;
  sizeBytes: number;
  expiresOn: Date | null;
  reason: string;
  createdAt: Date;
}

/** Fields of a copy to change; `countFailure` adds one to its failure count. */
export interface CopyChange {
  state?: OurCopyState;
  reason?: string | null;
  expiresOn?: Date | null;
  graceUntil?: Date | null;
  sizeBytes?: number;
  lastVerifiedAt?: Date;
  sourceFileSet?: string | null;
  countFailure?: boolean;
  /** the time of the change (a failure's time, after which its video may be planned again) */
  updatedAt?: Date;
}

/** Our copies (the rows of our instance actor): every method is scoped to them. */
export interface CopyStore {
  /** every copy of ours, oldest first */
  list(): Promise<OurCopy[]>;
  find(id: number): Promise<OurCopy | null>;
  findByVideo(videoId: number): Promise<OurCopy | null>;
  create(copy: NewCopy): Promise<number>;
  /** fails when the copy is gone (a transaction it is part of is then rolled back) */
  update(id: number, change: CopyChange, tx?: Tx): Promise<void>;
  /** removes the copy (only while in `state`, when given); whether it was there */
  remove(id: number, options?: { tx?: Tx; state?: OurCopyState }): Promise<boolean>;
  /** forgets failed copies whose failure is older than `before` */
  removeFailedBefore(before: Date): Promise<void>;
  /** a copy still planned or downloading becomes failed (a job's failure path) */
  failUnfinished(id: number, reason: string, at: Date): Promise<void>;
}

/** A remote video's HLS playlist, with the origin's URLs. */
export interface VideoHls {
  playlistUrl: string | null;
  segmentsSha256Url: string | null;
  files: { filename: string; size: number; torrentUrl: string | null }[];
}

/** A video as mirroring and announcing need it. */
export interface MirrorableVideo {
  id: number;
  uuid: string;
  url: string;
  isLocal: boolean;
  isLive: boolean;
  durationSeconds: number;
  hls: VideoHls | null;
  /** the video's account (the CacheFile is addressed to it) */
  accountUrl: string;
  /** where announcements of copies go: the origin channel's shared inbox, else its inbox */
  originInbox: string;
}

/** A remote video as the planner's candidate is made of it. */
export interface CatalogueVideo extends MirrorableVideo {
  channelUrl: string;
  channelName: string;
  accountName: string;
  tags: string[];
  language: string | null;
  licence: number | null;
  category: number | null;
  publishedAt: Date;
  views: number;
  privacy: number;
  /** PeerTube's video state (1: published) */
  state: number;
  /** active copies of other instances we know of */
  knownHealthyMirrors: number;
}

/**
 * What a host rule's include/exclude filters look at in a remote video, beyond its host and account
 * URL: the planner's catalogue and the live relay (live/relay/) read the same fields.
 */
export type VideoFilterFields = Pick<CatalogueVideo, 'channelUrl' | 'channelName' | 'accountName' | 'tags' | 'language' | 'licence' | 'category'>;

/** What the engine reads besides its copies: the remote catalogue, the hosts it may mirror, our actor. */
export interface MirrorCatalogue {
  /** our instance actor (it signs the announcements) */
  ourActor(): Promise<{ id: number; url: string }>;
  /** hosts we follow (accepted) whose admin switch allows redundancy and that are not blocked */
  allowedHosts(): Promise<string[]>;
  /** every remote video */
  remoteVideos(): Promise<CatalogueVideo[]>;
  /** views per video since that day (daily counts) */
  viewsSince(since: Date): Promise<Map<number, number>>;
  video(videoId: number): Promise<MirrorableVideo | null>;
}

/** One of our active copies, as the origin health check and the server stats read it. */
export interface ActiveCopySummary {
  videoUuid: string;
  /** the host of the video's channel (its origin) */
  originHost: string;
  /** the budget that holds it; null read as manual */
  strategy: string | null;
  sizeBytes: number;
  videoUrl: string;
  /** the origin's master playlist */
  playlistUrl: string | null;
  /** media files of the video's HLS playlist */
  fileCount: number;
}

/** Our active copies, oldest first (of one video when `videoUuid` is given). */
export interface ActiveCopiesStore {
  activeCopies(videoUuid?: string): Promise<ActiveCopySummary[]>;
}
