import { mkdtemp, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryFiles } from '../../../src/http/static/memory-files.js';
import { createLogger } from '../../../src/lib/logger.js';
import { createSegmentHashes } from '../../../src/live/segment-hashes.js';

// The origin's live folder in memory: the hash follower (segment-hashes.ts) keeps segments as they
// land, the hash list and the playlists as they change, the init section once listed; a segment
// leaves memory when its playlist's window moves past it (even while ffmpeg keeps it on disk a
// little longer), or when deleted; everything leaves when the live stops. The folder is written
// as ffmpeg writes it (temporary names renamed into place).

const media = (segments: number[]) => ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXT-X-MAP:URI="0-init-5.mp4"', ...segments.flatMap((n) => ['#EXTINF:1.0,', `0-${n}.mp4`]), ''].join('\n');

describe('a live folder in memory', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function land(dir: string, name: string, body: string): Promise<void> {
    await writeFile(join(dir, `${name}.tmp`), body);
    await rename(join(dir, `${name}.tmp`), join(dir, name));
  }

  it('keeps segments while in the window and playlists equal to their files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hot-folder-'));
    dirs.push(dir);
    const hot = createMemoryFiles({ maxBytes: 1024 * 1024 });
    const hashes = createSegmentHashes({ dir, logger: createLogger({ level: 'silent' }), rescanMs: 60_000, hot });
    await hashes.start();
    await land(dir, '0-init-5.mp4', 'init');
    for (const n of [1, 2, 3]) await land(dir, `0-${n}.mp4`, `segment ${n}`);
    await land(dir, '0.m3u8', media([1, 2, 3]));
    await land(dir, 'master.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n0.m3u8\n');
    await hashes.sync();
    for (const name of ['0-init-5.mp4', '0-1.mp4', '0-2.mp4', '0-3.mp4', '0.m3u8', 'master.m3u8', 'segments-sha256.json']) {
      expect(hot.get(join(dir, name))?.bytes.equals(await readFile(join(dir, name))), name).toBe(true);
    }
    expect(hashes.hotSegments().sort()).toEqual(['0-1.mp4', '0-2.mp4', '0-3.mp4']);

    // segment 4 lands before its playlist: in memory, and kept; the window then drops 1 (still on disk)
    await land(dir, '0-4.mp4', 'segment 4');
    await hashes.sync();
    expect(hot.has(join(dir, '0-4.mp4'))).toBe(true);
    await land(dir, '0.m3u8', media([2, 3, 4]));
    await hashes.sync();
    expect(hot.has(join(dir, '0-1.mp4'))).toBe(false);
    expect(hot.get(join(dir, '0.m3u8'))?.bytes.toString()).toBe(media([2, 3, 4]));
    expect(hashes.hotSegments().sort()).toEqual(['0-2.mp4', '0-3.mp4', '0-4.mp4']);
    // ffmpeg deletes a segment: gone from memory too
    await unlink(join(dir, '0-2.mp4'));
    await hashes.sync();
    expect(hot.has(join(dir, '0-2.mp4'))).toBe(false);

    await hashes.stop();
    expect(hot.stats()).toMatchObject({ files: 0, bytes: 0 });
  });
});
