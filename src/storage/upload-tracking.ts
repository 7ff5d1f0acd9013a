import type { Clock } from '../lib/clock.js';
import { bucketOf, fullKey, type ObjectStorageSettings } from './object-storage-settings.js';
import type { ObjectStore } from './object-store.js';

/** An upload to object storage in progress, as recorded (`ObjectUpload`). */
export interface TrackedUpload {
  id: number;
  bucket: string;
  key: string;
  /** the worker id of the node writing it */
  node: string;
  startedAt: Date;
}

/** The `ObjectUpload` rows: which node writes which object now. */
export interface UploadTrackingStore {
  begin(upload: Omit<TrackedUpload, 'id'>): Promise<number>;
  end(id: number): Promise<void>;
  list(): Promise<TrackedUpload[]>;
  remove(ids: readonly number[]): Promise<void>;
}

/**
 * The store with every put() recorded while it runs (a row written before the upload begins,
 * deleted when it ends, whichever way): the cleanup of abandoned multipart uploads
 * (abandoned-uploads.ts) knows by it which node may still be writing a key.
 */
export function trackUploads(store: ObjectStore, deps: { settings: ObjectStorageSettings; tracking: UploadTrackingStore; node: string; clock: Clock }): ObjectStore {
  const { settings, tracking, node, clock } = deps;
  return {
    ...store,
    async put(kind, key, source, options) {
      const id = await tracking.begin({ bucket: bucketOf(settings, kind).bucket, key: fullKey(settings, kind, key), node, startedAt: clock.now() });
      try {
        await store.put(kind, key, source, options);
      } finally {
        await tracking.end(id);
      }
    },
  };
}
