import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HotFiles } from './live-ports.js';

/** A file's bytes and mtime, read through one handle (null: gone meanwhile). */
export async function readWithMtime(path: string): Promise<{ bytes: Buffer; mtimeMs: number } | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const info = await handle.stat();
    return { bytes: await handle.readFile(), mtimeMs: info.mtimeMs };
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/** The media files a playlist lists (URIs and #EXT-X-MAP sections). */
export function listedIn(playlist: string): string[] {
  const names: string[] = [];
  for (const raw of playlist.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) names.push(line);
    else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = /URI="([^"]+)"/.exec(line)?.[1];
      if (uri) names.push(uri);
    }
  }
  return names;
}

const SEGMENT = /^(\d+)-(\d+)\.mp4$/;
const INIT = /^\d+-init-\d+\.mp4$/;

/**
 * The memory side of a live folder on the origin (see HotFiles): segments and init sections as
 * the hash follower sees them land, the hash list as it is written, the playlists whenever their
 * file changes. A segment leaves memory as soon as its variant's playlist lists newer segments but
 * not it any more (it may stay on disk a little longer, served from there), or when it is deleted.
 */
export function createHotFolder(dir: string, hot: HotFiles) {
  /** segments in memory (name) */
  const segments = new Set<string>();
  /** the file identity of each playlist last read (`ino:size:mtime`) */
  const seen = new Map<string, string>();
  /** init sections in memory: read once a playlist lists them (ffmpeg writes them in place, complete before it is listed) */
  const inits = new Set<string>();

  return {
    /** a segment that landed (renamed into place complete) */
    landed(name: string, bytes: Buffer, mtimeMs: number): void {
      hot.put(join(dir, name), bytes, mtimeMs, 'segment');
      segments.add(name);
    },
    gone(name: string): void {
      segments.delete(name);
      hot.delete(join(dir, name));
    },
    /** the hash list just written */
    async pinFile(name: string): Promise<void> {
      const read = await readWithMtime(join(dir, name));
      if (read) hot.put(join(dir, name), read.bytes, read.mtimeMs, 'pinned');
      else hot.delete(join(dir, name));
    },
    /** Reads the playlists that changed since last seen, then drops the segments out of their window. */
    async playlists(names: string[]): Promise<void> {
      for (const name of names) {
        const info = await stat(join(dir, name)).catch(() => null);
        if (!info) continue;
        const identity = `${info.ino}:${info.size}:${info.mtimeMs}`;
        if (seen.get(name) === identity) continue;
        const read = await readWithMtime(join(dir, name));
        if (!read) continue;
        seen.set(name, identity);
        hot.put(join(dir, name), read.bytes, read.mtimeMs, 'pinned');
        const variant = /^(\d+)\.m3u8$/.exec(name)?.[1];
        if (variant === undefined) continue;
        const listed = listedIn(read.bytes.toString('utf8'));
        for (const init of listed.filter((n) => INIT.test(n) && !inits.has(n))) {
          const section = await readWithMtime(join(dir, init));
          if (!section) continue;
          inits.add(init);
          hot.put(join(dir, init), section.bytes, section.mtimeMs, 'pinned');
        }
        this.window(variant, listed);
      }
    },
    /** One variant's playlist lists `listed`: its segments older than the newest listed and not listed leave memory. */
    window(variant: string, listed: string[]): void {
      const numbers = listed.map((n) => SEGMENT.exec(n)).filter((m) => m !== null && m[1] === variant).map((m) => Number(m![2]));
      if (numbers.length === 0) return;
      const newest = Math.max(...numbers);
      const keep = new Set(listed);
      for (const name of [...segments]) {
        const m = SEGMENT.exec(name)!;
        if (m[1] === variant && Number(m[2]) <= newest && !keep.has(name)) {
          segments.delete(name);
          hot.delete(join(dir, name));
        }
      }
    },
    /** the live runs: its bytes served are counted as an origin's */
    register(): void {
      hot.registerFolder(dir, 'origin');
    },
    /** the live stopped: everything is served from disk again */
    drop(): void {
      hot.unregisterFolder(dir);
      segments.clear();
      seen.clear();
      inits.clear();
      hot.deleteUnder(dir);
    },
    /** segments in memory now (tests) */
    segments: () => [...segments],
  };
}

export type HotFolder = ReturnType<typeof createHotFolder>;
