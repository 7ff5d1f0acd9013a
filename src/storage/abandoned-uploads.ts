import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { bucketOf, type ObjectStorageSettings } from './object-storage-settings.js';
import type { BucketKind, MultipartUploads, PendingUpload } from './object-store.js';
import type { TrackedUpload, UploadTrackingStore } from './upload-tracking.js';

/** A node as the cleanup sees it (from the cluster's registry). */
export interface UploadingNode {
  id: string;
  online: boolean;
  startedAt: Date;
}

/**
 * Which multipart uploads nobody can still be writing, and which tracking rows are dead. A row is
 * live while its node is online and has not restarted since the row was written (a restart, even
 * with the same worker id, ends every upload of the run before). An upload is kept while a live row
 * names its bucket and key; an upload that a dead row names is aborted at once; an upload no row
 * names (written by software without tracking, or its row lost) is aborted once older than
 * `untrackedGraceMs`.
 */
export function abandonedUploads(input: {
  uploads: readonly PendingUpload[];
  rows: readonly TrackedUpload[];
  nodes: readonly UploadingNode[];
  now: Date;
  untrackedGraceMs: number;
}): { abort: PendingUpload[]; deadRows: TrackedUpload[] } {
  const nodes = new Map(input.nodes.map((n) => [n.id, n]));
  const isLive = (row: TrackedUpload) => {
    const node = nodes.get(row.node);
    return node !== undefined && node.online && row.startedAt.getTime() >= node.startedAt.getTime();
  };
  const at = (bucket: string, key: string) => `${bucket}\u0000${key}`;
  const live = new Set<string>();
  const tracked = new Set<string>();
  const deadRows: TrackedUpload[] = [];
  for (const row of input.rows) {
    tracked.add(at(row.bucket, row.key));
    if (isLive(row)) live.add(at(row.bucket, row.key));
    else deadRows.push(row);
  }
  const abort = input.uploads.filter((u) => {
    const where = at(u.bucket, u.key);
    if (live.has(where)) return false;
    if (tracked.has(where)) return true;
    return input.now.getTime() - u.initiated.getTime() > input.untrackedGraceMs;
  });
  return { abort, deadRows };
}

/** The buckets and prefixes we write to (each pair once): the kinds in use. */
export function uploadPlaces(settings: ObjectStorageSettings): { bucket: string; prefix: string }[] {
  const kinds: BucketKind[] = ['streaming_playlists', 'web_videos', 'redundancy', ...(['thumbnails', 'torrents'] as const).filter((k) => settings[k].enabled)];
  const places = new Map<string, { bucket: string; prefix: string }>();
  for (const kind of kinds) {
    const { bucket, prefix } = bucketOf(settings, kind);
    places.set(`${bucket}\u0000${prefix}`, { bucket, prefix });
  }
  // a prefix inside another of the same bucket is listed with it
  return [...places.values()].filter((p) => ![...places.values()].some((q) => q !== p && q.bucket === p.bucket && p.prefix.startsWith(q.prefix)));
}

/** An upload no row names is aborted after a day (S3's usual lifecycle rule for incomplete uploads). */
export const UNTRACKED_UPLOAD_GRACE_MS = 24 * 3600_000;

/**
 * Aborts the multipart uploads that a killed node left in our buckets (their parts stay billed and
 * unlisted forever otherwise), restricted to our prefixes, and forgets the dead tracking rows. Run
 * at start and as a cluster tick; two nodes running it at once abort nothing twice that matters
 * (an upload already gone is fine).
 */
export function createAbandonedUploadCleanup(deps: {
  settings: ObjectStorageSettings;
  multipart: MultipartUploads;
  tracking: UploadTrackingStore;
  nodes: () => Promise<UploadingNode[]>;
  clock: Clock;
  logger: Logger;
  untrackedGraceMs?: number;
}) {
  const { settings, multipart, tracking, clock } = deps;
  const logger = deps.logger.child({ component: 'object-storage' });
  return {
    /** Aborts what nobody writes any more; how many uploads were aborted. */
    async run(): Promise<{ aborted: number; failed: number }> {
      // uploads first, rows after: a row is written before its upload begins, so every upload listed
      // that a live node writes has its row in the list read next
      const uploads = (await Promise.all(uploadPlaces(settings).map((p) => multipart.list(p.bucket, p.prefix)))).flat();
      const rows = await tracking.list();
      const nodes = await deps.nodes();
      const { abort, deadRows } = abandonedUploads({ uploads, rows, nodes, now: clock.now(), untrackedGraceMs: deps.untrackedGraceMs ?? UNTRACKED_UPLOAD_GRACE_MS });
      const failedKeys = new Set<string>();
      let failed = 0;
      for (const upload of abort) {
        try {
          await multipart.abort(upload);
          logger.info({ bucket: upload.bucket, key: upload.key, initiated: upload.initiated.toISOString() }, 'aborted an abandoned multipart upload');
        } catch (err) {
          failed += 1;
          failedKeys.add(`${upload.bucket}\u0000${upload.key}`);
          logger.warn({ err, bucket: upload.bucket, key: upload.key }, 'aborting an abandoned multipart upload failed');
        }
      }
      // a dead row whose abort failed stays: the next run tries again without waiting for the grace
      await tracking.remove(deadRows.filter((r) => !failedKeys.has(`${r.bucket}\u0000${r.key}`)).map((r) => r.id));
      return { aborted: abort.length - failed, failed };
    },
  };
}
