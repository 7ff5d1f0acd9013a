import type { Stats } from 'node:fs';
import { strongEtag } from './validators.js';

/** Bytes of a file are cached in aligned blocks of this size (the last one of a file may be shorter). */
export const BLOCK_SIZE = 1024 * 1024;

/**
 * What the cache knows of one file, valid while the file's identity and validators are unchanged
 * (device, inode, size, mtime, ctime: a replaced file, a re-transcode written in place or through
 * a rename, a copy evicted then mirrored again all change at least one of them).
 */
export interface CachedFile {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly etag: string;
  readonly lastModified: string;
  /** cached blocks by index; only the cache adds and removes them */
  readonly blocks: Map<number, Buffer>;
}

/** What identifies a version of a file (fs.Stats has it). */
export type FileStat = Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>;

export interface StaticFileCache {
  /**
   * The entry of `path` for this stat of it: the cached one when the file is unchanged, else a
   * fresh one (the old one's blocks are dropped at once, so stale bytes are never served).
   */
  file(path: string, stat: FileStat): CachedFile;
  /** The entry of `path` as it is (no stat check, nothing replaced), or undefined. */
  peek(path: string): CachedFile | undefined;
  /** A cached block (and marks it recently used), or undefined. */
  block(file: CachedFile, index: number): Buffer | undefined;
  /**
   * Whether a block just missed should be read whole and kept: only blocks asked for a second
   * time recently are (one-off reads of cold files do not push hot blocks out).
   */
  admit(file: CachedFile, index: number): boolean;
  /** Keeps a block read whole from `file` (still the current entry of its path, else ignored). */
  store(file: CachedFile, index: number, bytes: Buffer): void;
  /** Forgets a file (e.g. its stat changed under a read). */
  forget(path: string): void;
  stats(): { bytes: number; blocks: number; files: number; maxBytes: number };
}

/** Entries of files without cached blocks kept at most (their stat-derived headers). */
const MAX_FILES = 10_000;

/**
 * A byte-bounded, least-recently-used cache of file blocks for the static file server (config
 * `cache.static_files.size`; 0 disables it). Entries are keyed by path and checked against a fresh
 * stat of the file on every request by the caller, so a changed file is never answered from
 * memory. Blocks enter on their second miss (a small "ghost" list remembers recent misses).
 */
export function createStaticFileCache(options: { maxBytes: number }): StaticFileCache {
  const maxBytes = Math.max(0, Math.floor(options.maxBytes));
  const files = new Map<string, CachedFile>();
  // LRU order: Map iteration order is insertion order; a hit re-inserts the key at the end.
  const lru = new Map<string, { file: CachedFile; index: number; size: number }>();
  const ghosts = new Set<string>();
  // a small window: under cold, scattered reads (a working set larger than the cache) few blocks
  // come back while still remembered, so they are read as asked instead of whole
  const maxGhosts = Math.max(16, Math.ceil(maxBytes / BLOCK_SIZE / 4));
  let bytes = 0;

  const key = (file: CachedFile, index: number) => `${index}:${file.path}`;

  function dropFile(file: CachedFile): void {
    for (const [index, block] of file.blocks) {
      lru.delete(key(file, index));
      bytes -= block.length;
    }
    file.blocks.clear();
  }

  function evictUntil(limit: number): void {
    for (const [k, entry] of lru) {
      if (bytes <= limit) break;
      lru.delete(k);
      const block = entry.file.blocks.get(entry.index);
      if (block) {
        entry.file.blocks.delete(entry.index);
        bytes -= block.length;
      }
    }
  }

  return {
    file(path, stat) {
      const known = files.get(path);
      if (
        known &&
        known.ino === stat.ino &&
        known.dev === stat.dev &&
        known.size === stat.size &&
        known.mtimeMs === stat.mtimeMs &&
        known.ctimeMs === stat.ctimeMs
      ) {
        return known;
      }
      if (known) {
        dropFile(known);
        files.delete(path);
      }
      const fresh: CachedFile = {
        path,
        dev: stat.dev,
        ino: stat.ino,
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        ctimeMs: stat.ctimeMs,
        etag: strongEtag(stat.size, stat.mtimeMs),
        lastModified: new Date(stat.mtimeMs).toUTCString(),
        blocks: new Map(),
      };
      files.set(path, fresh);
      if (files.size > MAX_FILES) {
        for (const [p, f] of files) {
          if (files.size <= MAX_FILES) break;
          dropFile(f);
          files.delete(p);
        }
      }
      return fresh;
    },

    peek: (path) => files.get(path),

    block(file, index) {
      const block = file.blocks.get(index);
      if (block === undefined) return undefined;
      const k = key(file, index);
      const entry = lru.get(k);
      if (entry) {
        lru.delete(k);
        lru.set(k, entry);
      }
      return block;
    },

    admit(file, index) {
      if (maxBytes === 0) return false;
      const k = key(file, index);
      if (ghosts.delete(k)) return true;
      ghosts.add(k);
      if (ghosts.size > maxGhosts) {
        for (const g of ghosts) {
          ghosts.delete(g);
          if (ghosts.size <= maxGhosts) break;
        }
      }
      return false;
    },

    store(file, index, block) {
      if (block.length > maxBytes || files.get(file.path) !== file || file.blocks.has(index)) return;
      evictUntil(maxBytes - block.length);
      file.blocks.set(index, block);
      lru.set(key(file, index), { file, index, size: block.length });
      bytes += block.length;
    },

    forget(path) {
      const known = files.get(path);
      if (!known) return;
      dropFile(known);
      files.delete(path);
    },

    stats: () => ({ bytes, blocks: lru.size, files: files.size, maxBytes }),
  };
}
