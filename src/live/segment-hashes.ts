import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../lib/logger.js';
import { createHotFolder, readWithMtime } from './hot-folder.js';
import { LIVE_SEGMENT_PATTERN, LIVE_SEGMENTS_SHA256 } from './live-hls-args.js';
import type { HotFiles } from './live-ports.js';

/**
 * Keeps a live's `segments-sha256.json` (`{ "<segment file>": "<sha256 hex>" }`, PeerTube's live
 * format) in step with its folder: a segment is hashed as soon as ffmpeg renames it into place (it
 * writes under a temporary name first), which is before the playlist that lists it is written;
 * deleted segments leave the list. Driven by fs.watch, with a periodic rescan as a safety net.
 * With `hot`, what it reads is also kept for viewers (see hot-folder.ts): segments and init
 * sections as they land, then the hash list, then the playlists that changed (in that order, so a
 * playlist answered from memory never lists a segment missing from the hash list).
 */
export function createSegmentHashes(deps: { dir: string; logger: Logger; rescanMs?: number; onSegment?: (name: string) => void; hot?: HotFiles }) {
  const hashes = new Map<string, string>();
  const hot = deps.hot ? createHotFolder(deps.dir, deps.hot) : null;

  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  async function syncOnce(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(deps.dir);
    } catch {
      return;
    }
    const present = new Set(names.filter((n) => LIVE_SEGMENT_PATTERN.test(n)));
    let changed = false;
    for (const name of [...present].sort()) {
      if (hashes.has(name)) continue;
      const read = await readWithMtime(join(deps.dir, name));
      // deleted between the listing and the read: nothing to hash
      if (!read) continue;
      hashes.set(name, createHash('sha256').update(read.bytes).digest('hex'));
      hot?.landed(name, read.bytes, read.mtimeMs);
      changed = true;
      deps.onSegment?.(name);
    }
    for (const name of [...hashes.keys()]) {
      if (!present.has(name)) {
        hashes.delete(name);
        hot?.gone(name);
        changed = true;
      }
    }
    if (changed) await write();
    if (!hot || stopped) return;
    await hot.playlists(names.filter((n) => n.endsWith('.m3u8')).sort((a, b) => (a === 'master.m3u8' ? 1 : b === 'master.m3u8' ? -1 : a.localeCompare(b))));
  }

  async function write(): Promise<void> {
    const body = JSON.stringify(Object.fromEntries(hashes));
    const target = join(deps.dir, LIVE_SEGMENTS_SHA256);
    const tmp = `${target}.tmp`;
    try {
      await writeFile(tmp, body);
      await rename(tmp, target);
      if (!stopped) await hot?.pinFile(LIVE_SEGMENTS_SHA256);
    } catch (err) {
      if (!stopped) deps.logger.warn({ err, dir: deps.dir }, 'cannot write the live segment hashes');
    }
  }

  /** Runs a sync now, or once more after the one running (events never pile up). */
  function sync(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await syncOnce();
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    async start(): Promise<void> {
      hot?.drop();
      hot?.register();
      await write();
      try {
        watcher = watch(deps.dir, () => void sync());
        watcher.on('error', () => undefined);
      } catch (err) {
        deps.logger.warn({ err, dir: deps.dir }, 'cannot watch the live folder; rescanning only');
      }
      timer = setInterval(() => void sync(), deps.rescanMs ?? 1000);
      timer.unref();
    },
    sync,
    /** the hashes known now (tests, relays) */
    snapshot: (): Record<string, string> => Object.fromEntries(hashes),
    /** segments answered from memory now (tests) */
    hotSegments: (): string[] => hot?.segments() ?? [],
    async stop(): Promise<void> {
      watcher?.close();
      watcher = null;
      if (timer) clearInterval(timer);
      timer = null;
      await sync();
      stopped = true;
      hot?.drop();
    },
  };
}

export type SegmentHashes = ReturnType<typeof createSegmentHashes>;
