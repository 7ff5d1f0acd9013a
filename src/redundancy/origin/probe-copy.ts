import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Prisma } from '../../db/index.js';
import type { SafeFetcher } from '../../federation/remote/index.js';
import type { JobHandler } from '../../jobs/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';

export const PROBE_JOB = 'redundancy-probe';
export type ProbeJobKinds = { [PROBE_JOB]: { redundancyId: number } };

/**
 * The origin checks a mirror's copy of one of its videos before listing it, and again
 * periodically: the copy's master playlist must be served, and one hashed byte range of one
 * fragmented file must match our own segments-sha256.json. A failing copy is hidden (unhealthy)
 * until a later probe passes.
 */
export function createCopyProber(deps: { prisma: Prisma; clock: Clock; logger: Logger; fetcher: Pick<SafeFetcher, 'fetch'>; readLocalSha256(uuid: string): Promise<Record<string, Record<string, string>> | null> }) {
  const { prisma } = deps;
  const log = deps.logger.child({ component: 'redundancy-probe' });

  async function probe(redundancyId: number): Promise<'active' | 'unhealthy' | 'gone'> {
    const row = await prisma.videoRedundancy.findUnique({ where: { id: redundancyId }, include: { video: { include: { streamingPlaylists: true } } } });
    if (!row || !row.video.isLocal) return 'gone';
    const playlist = row.video.streamingPlaylists[0];
    const sha = await deps.readLocalSha256(row.video.uuid);
    let healthy = false;
    let why = '';
    if (!playlist || !sha) why = 'no HLS on our side';
    else {
      const master = await deps.fetcher.fetch(`${row.fileUrl}/${playlist.playlistFilename}`, { maxBytes: 1024 * 1024 });
      const [file, ranges] = Object.entries(sha)[0] ?? [];
      const [range, expected] = Object.entries(ranges ?? {})[0] ?? [];
      if (!master.ok) why = `master playlist: ${master.reason.message}`;
      else if (!file || !range) why = 'no hashed segment to probe';
      else {
        const [start, end] = range.split('-').map(Number) as [number, number];
        const part = await deps.fetcher.fetch(`${row.fileUrl}/${file}`, { headers: { range: `bytes=${start}-${end}` }, maxBytes: end - start + 1 + 1024 });
        if (!part.ok) why = `segment: ${part.reason.message}`;
        else if (createHash('sha256').update(part.body.subarray(0, end - start + 1)).digest('hex') !== expected) why = `segment ${file} ${range} does not match its hash`;
        else healthy = true;
      }
    }
    const state = healthy ? 'active' : 'unhealthy';
    await prisma.videoRedundancy.update({
      where: { id: row.id },
      data: { state, lastVerifiedAt: deps.clock.now(), reason: healthy ? null : why, failures: healthy ? 0 : { increment: 1 } },
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
