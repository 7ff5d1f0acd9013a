import { BLOCK_SIZE, type CachedFile, type FileStat, type StaticFileCache } from './file-cache.js';

/**
 * The static file cache as the seeder reads it (p2p's SharedFileBlocks): the same blocks, asked by
 * path and the version of the file the seeder has open. The seeder never replaces an entry of
 * another version (the static server's stat of the path is the current one: a file replaced under
 * a seeded torrent keeps being read from disk by the seeder until it is seeded again); it creates
 * the entry of a file not cached yet.
 */
export function sharedFileBlocks(cache: StaticFileCache) {
  const same = (file: CachedFile, version: FileStat) =>
    file.ino === version.ino && file.dev === version.dev && file.size === version.size && file.mtimeMs === version.mtimeMs && file.ctimeMs === version.ctimeMs;
  const entry = (path: string, version: FileStat, create: boolean): CachedFile | undefined => {
    const known = cache.peek(path);
    if (known) return same(known, version) ? known : undefined;
    return create ? cache.file(path, version) : undefined;
  };
  return {
    blockSize: BLOCK_SIZE,
    block(path: string, version: FileStat, index: number): Buffer | undefined {
      const file = entry(path, version, false);
      return file && cache.block(file, index);
    },
    admit(path: string, version: FileStat, index: number): boolean {
      const file = entry(path, version, true);
      return file ? cache.admit(file, index) : false;
    },
    store(path: string, version: FileStat, index: number, bytes: Buffer): void {
      const file = entry(path, version, false);
      if (file) cache.store(file, index, bytes);
    },
  };
}
