import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Prisma } from '../../db/index.js';
import type { SafeFetcher } from '../../federation/remote/index.js';
import type { JobHandler } from '../../jobs/index.js';
import { fetchByteRange } from '../../net/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';

export const PROBE_JOB = 'redundancy-probe';
export type ProbeJobKinds = { [PROBE_JOB]: { redundancyId: number } };

/**
 * The origin checks a mirror's copy of one of its videos before listing it, and again
 * periodically: for every fragmented file our own segments-sha256.json lists, one hashed byte
 * range fetched from the copy must match. Nothing else is asked of the mirror: PeerTube's HLS
 * mirrors hold only the `*-fragmented.mp4` files (players take playlists and hashes from the
 * origin). A failing copy is hidden (unhealthy) until a later probe passes.
 */
export function createCopyProber(deps: { prisma: Prisma; clock: Clock; logger: Logger; fetcher: Pick<SafeFetcher, 'fetch'>; readLocalSha256(uuid: string): Promise<Record<string, Record<string, string>> | null> }) {
  const { prisma } = deps;
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
    const row = await prisma.videoRedundancy.findUnique({ where: { id: redundancyId }, include: { video: { include: { streamingPlaylists: true } } } });
    if (!row || !row.video.isLocal) return 'gone';
    const playlist = row.video.streamingPlaylists[0];
    const sha = await deps.readLocalSha256(row.video.uuid);
    const why = !playlist || !sha ? 'no HLS on our side' : await checkRanges(row.fileUrl, sha);
    const healthy = why === null;
    const state = healthy ? 'active' : 'unhealthy';
    await prisma.videoRedundancy.update({
      where: { id: row.id },
      data: { state, lastVerifiedAt: deps.clock.now(), reason: why, failures: healthy ? 0 : { increment: 1 } },
    });
    if (!healthy) log.warn({ video: row.video.uuid, mirror: row.fileUrl, why }, 'mirror failed its probe: hidden');
    return state;
  }

  const job: JobHandler<{ redundancyId: number }> = {
    concurrency: 2,
    maxAttempts: 1,
    parse: (raw) => z.object({ redundancyId: z.number().int().positive() }).parse(raw),
    run: async (payload) => ({ state: await probe(payload.redundancyId) }),
  };

  return {
    probe,
    job,
    /** Drops remote copies whose `expiresOn` passed; returns how many. */
    async removeExpired(): Promise<number> {
      const { count } = await prisma.videoRedundancy.deleteMany({ where: { expiresOn: { lt: deps.clock.now() }, actor: { host: { not: null } } } });
      return count;
    },
    /** Ids of copies of our videos to probe again (periodic). */
    async dueForProbe(olderThan: Date): Promise<number[]> {
      const rows = await prisma.videoRedundancy.findMany({
        where: { video: { isLocal: true }, OR: [{ lastVerifiedAt: null }, { lastVerifiedAt: { lt: olderThan } }] },
        select: { id: true },
      });
      return rows.map((r) => r.id);
    },
  };
}
