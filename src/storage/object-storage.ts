import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { contentTypeOf } from './content-types.js';
import { publicObjectUrl, type ObjectStorageSettings } from './object-storage-settings.js';
import type { BucketKind, ObjectAcl, ObjectStore } from './object-store.js';

/**
 * Object storage as the areas use it: the port, the settings, and PeerTube's key layout
 * (`<uuid>/<file>` in streaming_playlists, `<file>` in web_videos; our copies as `<uuid>/<file>`
 * in the redundancy bucket, staged under `_staging/` until committed).
 */
export interface ObjectStorage {
  readonly settings: ObjectStorageSettings;
  readonly store: ObjectStore;
  hlsKey(uuid: string, filename: string): string;
  webVideoKey(filename: string): string;
  copyKey(uuid: string, filename: string): string;
  /** the prefix under which a copy is staged before its commit */
  stagingPrefix(uuid: string, attempt: string): string;
  readonly stagingRoot: string;
  /** `<base_url>/<prefix><key>` when the kind has a base URL, else null (our static routes proxy) */
  publicUrl(kind: BucketKind, key: string): string | null;
  /** uploads every file of a flat folder as `<keyPrefix><name>`; the keys and sizes written */
  uploadFolder(kind: BucketKind, dir: string, keyPrefix: string, acl: ObjectAcl, onFile?: (bytes: number) => void): Promise<{ key: string; size: number }[]>;
}

export function createObjectStorage(settings: ObjectStorageSettings, store: ObjectStore): ObjectStorage {
  return {
    settings,
    store,
    hlsKey: (uuid, filename) => `${uuid}/${filename}`,
    webVideoKey: (filename) => filename,
    copyKey: (uuid, filename) => `${uuid}/${filename}`,
    stagingPrefix: (uuid, attempt) => `_staging/${uuid}-${attempt}/`,
    stagingRoot: '_staging/',
    publicUrl: (kind, key) => publicObjectUrl(settings, kind, key),
    async uploadFolder(kind, dir, keyPrefix, acl, onFile) {
      const written: { key: string; size: number }[] = [];
      for (const name of (await readdir(dir)).sort()) {
        const path = join(dir, name);
        const s = await stat(path);
        if (!s.isFile()) continue;
        const key = `${keyPrefix}${name}`;
        await store.put(kind, key, { path }, { acl, contentType: contentTypeOf(name) });
        written.push({ key, size: s.size });
        onFile?.(s.size);
      }
      return written;
    },
  };
}
