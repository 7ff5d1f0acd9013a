import type { Readable } from 'node:stream';

/** The buckets of object storage: PeerTube's `streaming_playlists`, `web_videos`, `thumbnails` and `torrents` (the last two opt-in), and ours for mirrored copies. */
export type BucketKind = 'streaming_playlists' | 'web_videos' | 'redundancy' | 'thumbnails' | 'torrents';
export const BUCKET_KINDS: readonly BucketKind[] = ['streaming_playlists', 'web_videos', 'redundancy'];

/** PeerTube's rule: files of public and unlisted videos are public-read; private, internal and password-protected ones are private. */
export type ObjectAcl = 'public' | 'private';

export interface ObjectInfo {
  /** below the bucket's configured prefix */
  key: string;
  size: number;
}

export interface ObjectHead {
  size: number;
  etag: string;
  lastModified: Date;
}

/** A multipart upload begun and neither completed nor aborted (S3's ListMultipartUploads). */
export interface PendingUpload {
  bucket: string;
  /** the full object key (the kind's prefix included) */
  key: string;
  uploadId: string;
  initiated: Date;
}

/** S3 only: the multipart uploads left in progress (a node killed mid-upload leaves its parts, billed and invisible to listings). */
export interface MultipartUploads {
  /** every upload in progress in the bucket under the prefix */
  list(bucket: string, prefix: string): Promise<PendingUpload[]>;
  /** aborts it (its parts are deleted); an upload already gone is fine */
  abort(upload: Pick<PendingUpload, 'bucket' | 'key' | 'uploadId'>): Promise<void>;
}

/**
 * The storage port: one flat key space per bucket kind, keys relative to the kind's configured
 * prefix. Implemented over S3 (`createS3ObjectStore`) and over a folder (`createFolderObjectStore`,
 * for tests and for operators without object storage). Missing objects are values (null), never errors.
 */
export interface ObjectStore {
  /** writes an object from a file or bytes (multipart above `max_upload_part`) with the ACL */
  put(kind: BucketKind, key: string, source: { path: string } | { body: Buffer }, options: { acl: ObjectAcl; contentType?: string }): Promise<void>;
  head(kind: BucketKind, key: string): Promise<ObjectHead | null>;
  /** bytes start..end (inclusive) of an object, or the whole object without a range; null when absent */
  read(kind: BucketKind, key: string, range?: { start: number; end: number }): Promise<Readable | null>;
  /** every object whose key starts with `prefix` */
  list(kind: BucketKind, prefix: string): Promise<ObjectInfo[]>;
  /** a server-side copy inside the bucket */
  copy(kind: BucketKind, fromKey: string, toKey: string, acl: ObjectAcl): Promise<void>;
  setAcl(kind: BucketKind, key: string, acl: ObjectAcl): Promise<void>;
  /** deletes the keys (absent ones are fine) */
  remove(kind: BucketKind, keys: readonly string[]): Promise<void>;
  /** deletes every object under the prefix; how many went */
  removePrefix(kind: BucketKind, prefix: string): Promise<number>;
  /** S3 only (absent on a folder): the multipart uploads in progress */
  readonly multipart?: MultipartUploads;
  /** closes the client's sockets */
  close(): void;
}
