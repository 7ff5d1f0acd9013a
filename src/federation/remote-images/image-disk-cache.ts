import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Files in one folder, bounded in bytes, least recently used evicted first. The index lives in
 * memory (a Map in use order) and is rebuilt from the folder at `load()` (older files by mtime
 * first). Files are written under a temporary name and renamed, so a reader never sees half a file.
 * Names must be plain file names (the caller validates them).
 */
export function createImageDiskCache(options: { directory: string; maxBytes: number }) {
  const entries = new Map<string, number>();
  let total = 0;
  let tmpCounter = 0;

  async function evict(): Promise<void> {
    while (total > options.maxBytes && entries.size > 0) {
      const [oldest, size] = entries.entries().next().value!;
      entries.delete(oldest);
      total -= size;
      await unlink(join(options.directory, oldest)).catch(() => undefined);
    }
  }

  return {
    directory: options.directory,

    async load(): Promise<void> {
      await mkdir(options.directory, { recursive: true });
      const found: { name: string; size: number; mtime: number }[] = [];
      for (const name of await readdir(options.directory)) {
        const path = join(options.directory, name);
        if (name.startsWith('.tmp-')) {
          await unlink(path).catch(() => undefined);
          continue;
        }
        const s = await stat(path).catch(() => null);
        if (s?.isFile()) found.push({ name, size: s.size, mtime: s.mtimeMs });
      }
      found.sort((a, b) => a.mtime - b.mtime);
      entries.clear();
      total = 0;
      for (const f of found) {
        entries.set(f.name, f.size);
        total += f.size;
      }
      await evict();
    },

    /** The file's path when cached (and marks it used), else null. */
    get(name: string): string | null {
      const size = entries.get(name);
      if (size === undefined) return null;
      entries.delete(name);
      entries.set(name, size);
      return join(options.directory, name);
    },

    /** Stores a file (replacing one of that name), then evicts down to the bound; returns its path (null: larger than the whole cache). */
    async put(name: string, body: Buffer): Promise<string | null> {
      if (body.length > options.maxBytes) return null;
      const path = join(options.directory, name);
      const tmp = join(options.directory, `.tmp-${process.pid}-${tmpCounter++}`);
      await writeFile(tmp, body);
      await rename(tmp, path);
      const previous = entries.get(name);
      if (previous !== undefined) total -= previous;
      entries.delete(name);
      entries.set(name, body.length);
      total += body.length;
      await evict();
      return path;
    },

    stats: () => ({ files: entries.size, bytes: total }),
  };
}

export type ImageDiskCache = ReturnType<typeof createImageDiskCache>;
