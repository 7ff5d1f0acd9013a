/**
 * The columns of a video row that an owner describes (or the origin, for a remote video): one
 * declaration for the write side (`NewVideo`), the read side (`VideoSummary`) and the ActivityPub
 * object's input (`VideoForActivityPub`).
 */
export interface VideoAttributes {
  name: string;
  description: string | null;
  support: string | null;
  privacy: number;
  state: number;
  category: number | null;
  licence: number | null;
  language: string | null;
  nsfw: boolean;
  tags: string[];
  duration: number;
  aspectRatio: number | null;
  waitTranscoding: boolean;
  commentsEnabled: boolean;
  downloadEnabled: boolean;
  thumbnailFilename: string | null;
  previewFilename: string | null;
  originallyPublishedAt: Date | null;
}

/** The counters and flags a stored video has beyond what its owner wrote. */
export interface VideoCounters {
  views: number;
  likes: number;
  dislikes: number;
  isLive: boolean;
  isLocal: boolean;
}
