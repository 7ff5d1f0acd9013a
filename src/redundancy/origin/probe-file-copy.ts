import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SafeFetcher } from '../../federation/remote/index.js';
import { completed, type JobHandler } from '../../jobs/index.js';
import { fetchByteRange } from '../../net/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { FileCopyProbeStore, FileCopyToProbe } from './file-copy-store.js';

export const FILE_PROBE_JOB = 'redundancy-probe-file';
export type FileProbeJobKinds = { [FILE_PROBE_JOB]: { fileRedundancyId: number } };

/** bytes compared at each end of the file */
export const FILE_PROBE_RANGE_BYTES = 64 * 1024;

/** Pure: the byte ranges (inclusive) a probe of a `size`-byte file compares: its first and last 64 KiB. */
export function fileProbeRanges(size: number): [number, number][] {
  if (size <= 0) return [];
  const head: [number, number] = [0, Math.min(size, FILE_PROBE_RANGE_BYTES) - 1];
  const tail: [number, number] = [Math.max(0, size - FILE_PROBE_RANGE_BYTES), size - 1];
  return tail[0] <= head[1] ? [[0, size - 1]] : [head, tail];
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * The origin checks a mirror's copy of one of its web video files (PeerTube's `video/mp4`
 * CacheFile) before listing it, and again periodically: the copy must be served with byte ranges,
 * be exactly as long as our file (Content-Range), and its first and last 64 KiB must hash like
 * ours. A failing copy is hidden (unhealthy) until a later probe passes.
 */
export function createFileCopyProber(deps: {
  store: FileCopyProbeStore;
  clock: Clock;
  logger: Logger;
  fetcher: Pick<SafeFetcher, 'fetch'>;
  /** bytes `start..end` (inclusive) of our web video file; null when unreadable */
  readLocalRange(filename: string, start: number, end: number): Promise<Buffer | null>;
}) {
  const log = deps.logger.child({ component: 'redundancy-probe' });

  async function check(copy: FileCopyToProbe): Promise<string | null> {
    const ranges = fileProbeRanges(copy.size);
    if (ranges.length === 0) return 'our file is empty';
    for (const [start, end] of ranges) {
      const ours = await deps.readLocalRange(copy.filename, start, end);
      if (!ours || ours.length !== end - start + 1) return `our file ${copy.filename} is not readable`;
      const part = await fetchByteRange((url, o) => deps.fetcher.fetch(url, o), copy.fileUrl, start, end);
      if (!part.ok) return `bytes ${start}-${end}: ${part.message}`;
      if (part.total !== undefined && part.total !== copy.size) return `the copy is ${part.total} bytes long, our file ${copy.size}`;
      if (sha256(part.bytes) !== sha256(ours)) return `bytes ${start}-${end} differ from our file`;
    }
    return null;
  }

  async function probe(id: number): Promise<'active' | 'unhealthy' | 'gone'> {
    const copy = await deps.store.loadForProbe(id);
    if (!copy) return 'gone';
    const why = await check(copy);
    await deps.store.setProbeResult(id, { healthy: why === null, reason: why, at: deps.clock.now() });
    if (why !== null) log.warn({ video: copy.videoUuid, mirror: copy.fileUrl, why }, 'web video mirror failed its probe: hidden');
    return why === null ? 'active' : 'unhealthy';
  }

  const job: JobHandler<{ fileRedundancyId: number }> = {
    concurrency: 2,
    maxAttempts: 1,
    parse: (raw) => z.object({ fileRedundancyId: z.number().int().positive() }).parse(raw),
    run: async (payload) => completed({ state: await probe(payload.fileRedundancyId) }),
  };

  return {
    probe,
    job,
    /** periodic: probes due copies, drops expired ones; returns how many expired */
    async tick(olderThan: Date): Promise<number> {
      for (const id of await deps.store.dueForProbe(olderThan)) await probe(id);
      return deps.store.removeExpired(deps.clock.now());
    },
  };
}
