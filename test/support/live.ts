import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { MemoryFiles } from '../../src/http/static/index.js';
import { waitFor } from './ports.js';

/** Lives on, RTMP on a free port of 127.0.0.1, the stream only remuxed to its own resolution. */
export const TEST_LIVE_CONFIG = {
  enabled: true,
  rtmp: { enabled: true, hostname: '127.0.0.1', port: 0 },
  transcoding: {
    enabled: true,
    threads: 1,
    resolutions: { '0p': false, '144p': false, '240p': false, '360p': false, '480p': false, '720p': false, '1080p': false, '1440p': false, '2160p': false },
    always_transcode_original_resolution: true,
  },
};

/** Runs an ffmpeg publisher of `seconds` of generated media (160x90 test pattern + tone) to an RTMP URL. */
export function publishTestStream(url: string, seconds: number): { done: Promise<number>; kill(): void } {
  const child = spawn(
    'ffmpeg',
    ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', url],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  return { done: new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1))), kill: () => child.kill('SIGKILL') };
}

/**
 * A running live's files are answered from memory (the static fast path's memory files), equal to
 * what is on disk: the media playlist (read again until the file did not change between the two
 * reads, bounded) and a Range of a segment in memory; each counted as a memory hit.
 */
export async function expectServedFromMemory(input: { base: string; dir: string; memory: MemoryFiles; playlist: string; hotSegments: () => string[] }): Promise<void> {
  const before = input.memory.stats().hits;
  await waitFor('the playlist from memory equal to its file', async () => {
    const disk = await readFile(join(input.dir, input.playlist), 'utf8');
    const served = await fetch(`${input.base}/${input.playlist}`);
    const text = await served.text();
    return served.status === 200 && text === disk && text === (await readFile(join(input.dir, input.playlist), 'utf8')) ? true : undefined;
  }, 10_000, 50);
  expect(input.memory.stats().hits).toBeGreaterThan(before);
  const segment = await waitFor('a segment in memory', async () => input.hotSegments().at(-1), 10_000, 50);
  const hits = input.memory.stats().hits;
  const range = await fetch(`${input.base}/${segment}`, { headers: { Range: 'bytes=100-1123' } });
  expect(range.status).toBe(206);
  const disk = await readFile(join(input.dir, segment));
  expect(range.headers.get('content-range')).toBe(`bytes 100-1123/${disk.length}`);
  expect(range.headers.get('access-control-allow-origin')).toBe('*');
  expect(Buffer.from(await range.arrayBuffer()).equals(disk.subarray(100, 1124))).toBe(true);
  // (other clients, e.g. a relay polling the origin, may hit the memory files meanwhile)
  expect(input.memory.stats().hits).toBeGreaterThan(hits);
}
