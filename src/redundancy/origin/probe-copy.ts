import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SafeFetcher } from '../../federation/remote/index.js';
import { completed, type JobHandler } from '../../jobs/index.js';
import { fetchByteRange } from '../../net/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';

export const PROBE_JOB = 'redundancy-probe';
export type ProbeJobKinds = { [PROBE_JOB]: { redundancyId: number } };

/** What probing announced copies of our videos needs. */
export interface CopyProbeStore {
  /** null when the copy is gone or is not a copy of one of our (local) videos */
  loadForProbe(id: number): Promise<{ id: number; fileUrl: string; videoUuid: string; hasPlaylist: boolean } | null>;
  setProbeResult(id: number, result: { healthy: boolean; reason: string | null; at: Date }): Promise<void>;
  /** drops remote actors' copies whose `expiresOn` passed; how many */
  removeExpired(now: Date): Promise<number>;
  /** copies of our videos never probed, or last probed before `olderThan` */
  dueForProbe(olderThan: Date): Promise<number[]>;
}

/**
 * The origin checks a mirror's copy of one of its videos before listing it, and again
 * periodically: for every fragmented file our own segments-sha256.json lists, one hashed byte
 * range fetched from the copy must match. Nothing else is asked of the mirror: PeerTube's HLS
 * mirrors hold only the `*-fragmented.mp4` files (players take playlists and hashes from the
 * origin). A failing copy is hidden (unhealthy) until a later probe passes.
 */
export function createCopyProber(deps: { store: CopyProbeStore; clock: Clock; logger: Logger; fetcher: Pick<SafeFetcher, 'fetch'>; readLocalSha256(uuid: string): Promise<Record<string, Record<string, string>> | null> }) {
  const { store } = deps;
  const log = deps.logger.child({ component: 'redundancy-probe' });

  /** null when the copy serves every probed range with our bytes; else why not */
  async function checkRanges(baseUrl: string, sha: Record<string, Record<string, string>>): Promise<string | null> {
    const files = Object.entries(sha);
    if (files.length === 0) return 'no hashed segment to probe';
    for (const [file, ranges] of files) {
      const [range, expected] = Object.entries(ranges)[0] ?? [];
      if (!range || !expected) return `no hashed range for ${file}`;
      const [start, end] = range.split('-').map(Number) as [number, number];
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return `bad range ${range} in our hashes`;
      const part = await fetchByteRange((url, o) => deps.fetcher.fetch(url, o), `${baseUrl}/${file}`, start, end);
      if (!part.ok) return `segment ${file}: ${part.message}`;
      if (createHash('sha256').update(part.bytes).digest('hex') !== expected) return `segment ${file} ${range} does not match its hash`;
    }
    return null;
  }

  async function probe(redundancyId: number): Promise<'active' | 'unhealthy' | 'gone'> {
    const row = await store.loadForProbe(redundancyId);
    if (!row) return 'gone';
    const sha = await deps.readLocalSha256(row.videoUuid);
    const why = !row.hasPlaylist || !sha ? 'no HLS on our side' : await checkRanges(row.fileUrl, sha);
    const healthy = why === null;
    const state = healthy ? 'active' : 'unhealthy';
    await store.setProbeResult(row.id, { healthy, reason: why, at: deps.clock.now() });
    if (!healthy) log.warn({ video: row.videoUuid, mirror: row.fileUrl, why }, 'mirror failed its probe: hidden');
    return state;
  }

  const job: JobHandler<{ redundancyId: number }> = {
    concurrency: 2,
    maxAttempts: 1,
    parse: (raw) => z.object({ redundancyId: z.number().int().positive() }).parse(raw),
    run: async (payload) => completed({ state: await probe(payload.redundancyId) }),
  };

  return {
    probe,
    job,
    /** Drops remote copies whose `expiresOn` passed; returns how many. */
    async removeExpired(): Promise<number> {
      return store.removeExpired(deps.clock.now());
    },
    /** Ids of copies of our videos to probe again (periodic). */
    dueForProbe: (olderThan: Date): Promise<number[]> => store.dueForProbe(olderThan),
  };
}
