import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isSafeKey } from './object-storage-settings.js';
import type { BucketKind, ObjectHead, ObjectInfo, ObjectStore } from './object-store.js';

/**
 * The storage port over a local folder: `<root>/<kind>/<key>`. Writes go to a temporary name and
 * are renamed into place, so a reader never sees half an object. ACLs are not kept (a folder has no
 * anonymous readers). For unit tests and as the reference behaviour of the port.
 */
export function createFolderObjectStore(root: string): ObjectStore {
  const pathOf = (kind: BucketKind, key: string) => {
    if (!isSafeKey(key) || key === '' || key.endsWith('/')) throw new TypeError(`unsafe object key ${JSON.stringify(key)}`);
    return join(root, kind, ...key.split('/'));
  };
  async function head(kind: BucketKind, key: string): Promise<ObjectHead | null> {
    try {
      const s = await stat(pathOf(kind, key));
      return s.isFile() ? { size: s.size, etag: `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`, lastModified: s.mtime } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
  async function walk(dir: string, base: string, out: ObjectInfo[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full, base, out);
      else if (e.isFile() && !e.name.startsWith('.put-')) out.push({ key: relative(base, full).split(sep).join('/'), size: (await stat(full)).size });
    }
  }
  async function list(kind: BucketKind, prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    await walk(join(root, kind), join(root, kind), out);
    return out.filter((o) => o.key.startsWith(prefix)).sort((a, b) => a.key.localeCompare(b.key));
  }
  async function atomically(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.put-${randomBytes(6).toString('hex')}`);
    try {
      await write(tmp);
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  const remove = async (kind: BucketKind, keys: readonly string[]) => {
    for (const k of keys) await rm(pathOf(kind, k), { force: true });
  };
  return {
    async put(kind, key, source) {
      await atomically(pathOf(kind, key), (tmp) => ('path' in source ? copyFile(source.path, tmp) : writeFile(tmp, source.body)));
    },
    head,
    async read(kind, key, range) {
      if (!(await head(kind, key))) return null;
      return createReadStream(pathOf(kind, key), range ? { start: range.start, end: range.end } : {});
    },
    list,
    async copy(kind, fromKey, toKey) {
      await atomically(pathOf(kind, toKey), (tmp) => copyFile(pathOf(kind, fromKey), tmp));
    },
    async setAcl() {},
    remove,
    async removePrefix(kind, prefix) {
      const keys = (await list(kind, prefix)).map((o) => o.key);
      await remove(kind, keys);
      return keys.length;
    },
    close() {},
  };
}
