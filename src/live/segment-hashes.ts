import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../lib/logger.js';
import { LIVE_SEGMENT_PATTERN, LIVE_SEGMENTS_SHA256 } from './live-hls-args.js';

/**
 * Keeps a live's `segments-sha256.json` (`{ "<segment file>": "<sha256 hex>" }`, PeerTube's live
 * format) in step with its folder: a segment is hashed as soon as ffmpeg renames it into place (it
 * writes under a temporary name first), which is before the playlist that lists it is written;
 * deleted segments leave the list. Driven by fs.watch, with a periodic rescan as a safety net.
 */
export function createSegmentHashes(deps: { dir: string; logger: Logger; rescanMs?: number; onSegment?: (name: string) => void }) {
  const hashes = new Map<string, string>();
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
      try {
        hashes.set(name, createHash('sha256').update(await readFile(join(deps.dir, name))).digest('hex'));
        changed = true;
        deps.onSegment?.(name);
      } catch {
        // deleted between the listing and the read: nothing to hash
      }
    }
    for (const name of [...hashes.keys()]) {
      if (!present.has(name)) {
        hashes.delete(name);
        changed = true;
      }
    }
    if (changed) await write();
  }

  async function write(): Promise<void> {
    const body = JSON.stringify(Object.fromEntries(hashes));
    const target = join(deps.dir, LIVE_SEGMENTS_SHA256);
    const tmp = `${target}.tmp`;
    try {
      await writeFile(tmp, body);
      await rename(tmp, target);
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
    async stop(): Promise<void> {
      watcher?.close();
      watcher = null;
      if (timer) clearInterval(timer);
      timer = null;
      await sync();
      stopped = true;
    },
  };
}

export type SegmentHashes = ReturnType<typeof createSegmentHashes>;
