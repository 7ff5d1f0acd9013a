import { dirname, resolve, sep } from 'node:path';
import { strongEtag } from './validators.js';

/** A file answered from memory: its bytes and the validators of the file they were read from. */
export interface MemoryFile {
  readonly bytes: Buffer;
  readonly etag: string;
  readonly lastModified: string;
  readonly mtimeMs: number;
  /** pinned (playlists, hash lists, init sections) are always kept; segments within the byte budget */
  readonly kind: 'pinned' | 'segment';
}

/**
 * Files whose owner (the live muxer, a live relay) knows their current bytes, answered by the
 * static fast path without touching the disk: a live's playlists (replaced as the owner sees them
 * change) and its segments while they are in the window. Keyed by the absolute path the file has
 * on disk, so an entry is only ever served for the very file (and mount) it copies; the owner
 * puts what it wrote or read (with the file's mtime: the same ETag and Last-Modified as from
 * disk), deletes what leaves the window, and drops a folder when its live stops.
 */
export interface MemoryFiles {
  put(path: string, bytes: Buffer, mtimeMs: number, kind: MemoryFile['kind']): void;
  get(path: string): MemoryFile | undefined;
  has(path: string): boolean;
  delete(path: string): void;
  /** every entry below this folder */
  deleteUnder(dir: string): void;
  stats(): { bytes: number; files: number; segments: number; maxBytes: number; hits: number };
  /** a running live's folder (its bytes served are counted by kind, from memory or disk) */
  registerFolder(dir: string, kind: LiveKind): void;
  unregisterFolder(dir: string): void;
  /** the kind of the live whose folder holds this file (absolute, resolved), if any */
  liveKindOf(path: string): LiveKind | undefined;
  /** bytes of a live's file sent to a viewer */
  sent(kind: LiveKind, from: 'memory' | 'disk', n: number): void;
  sentTotals(): Array<{ kind: LiveKind; from: 'memory' | 'disk'; bytes: number }>;
}

/** Our lives (origin) or the lives we relay (relay). */
export type LiveKind = 'origin' | 'relay';

/**
 * The instance's memory files, bounded by `maxBytes` of segments (config `live.memory_cache.size`;
 * 0: segments are never kept, playlists still are): over the budget, the segments put first leave
 * first (in a live the oldest segment is the least watched).
 */
export function createMemoryFiles(options: { maxBytes: number }): MemoryFiles {
  const maxBytes = Math.max(0, Math.floor(options.maxBytes));
  const entries = new Map<string, MemoryFile>();
  /** segments in the order they were put (Map order), for eviction */
  const segments = new Map<string, number>();
  let bytes = 0;
  let segmentBytes = 0;
  let hits = 0;
  const folders = new Map<string, LiveKind>();
  const totals = new Map<string, number>();

  function remove(key: string): void {
    const known = entries.get(key);
    if (!known) return;
    entries.delete(key);
    bytes -= known.bytes.length;
    if (known.kind === 'segment') {
      segments.delete(key);
      segmentBytes -= known.bytes.length;
    }
  }

  return {
    put(path, body, mtimeMs, kind) {
      const key = resolve(path);
      remove(key);
      if (kind === 'segment') {
        if (body.length > maxBytes) return;
        for (const [oldest] of segments) {
          if (segmentBytes + body.length <= maxBytes) break;
          remove(oldest);
        }
        segments.set(key, body.length);
        segmentBytes += body.length;
      }
      entries.set(key, { bytes: body, etag: strongEtag(body.length, mtimeMs), lastModified: new Date(mtimeMs).toUTCString(), mtimeMs, kind });
      bytes += body.length;
    },
    get(path) {
      const found = entries.get(path);
      if (found) hits++;
      return found;
    },
    has: (path) => entries.has(resolve(path)),
    delete: (path) => remove(resolve(path)),
    deleteUnder(dir) {
      const prefix = resolve(dir) + sep;
      for (const key of [...entries.keys()]) if (key.startsWith(prefix)) remove(key);
    },
    stats: () => ({ bytes, files: entries.size, segments: segments.size, maxBytes, hits }),
    registerFolder: (dir, kind) => void folders.set(resolve(dir), kind),
    unregisterFolder: (dir) => void folders.delete(resolve(dir)),
    liveKindOf: (path) => (folders.size === 0 ? undefined : folders.get(dirname(path))),
    sent(kind, from, n) {
      const key = `${kind}:${from}`;
      totals.set(key, (totals.get(key) ?? 0) + n);
    },
    sentTotals: () =>
      (['origin', 'relay'] as const).flatMap((kind) => (['memory', 'disk'] as const).map((from) => ({ kind, from, bytes: totals.get(`${kind}:${from}`) ?? 0 }))),
  };
}
