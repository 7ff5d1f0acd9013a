import type { MirrorPort } from '../../../src/redundancy/engine.js';
import type { CopyOutcome } from '../../../src/redundancy/mirror-attempt.js';

/**
 * The mirror module in memory: the copies "on disk" are a set of uuids. A copy succeeds with the
 * sum of the playlist's file sizes unless an outcome was queued for its uuid (`failWith`); a copy
 * verifies while it is on disk and not `corrupt`ed. Every call is recorded.
 */
export function createFakeMirror(sizes: (uuid: string) => number = () => 2_000_000) {
  const onDisk = new Set<string>();
  const corrupt = new Set<string>();
  const queued = new Map<string, CopyOutcome[]>();
  const calls: string[] = [];
  const port: MirrorPort = {
    async copy(input) {
      calls.push(`copy ${input.uuid}${input.reuse ? ' reuse' : ''}`);
      const outcome = queued.get(input.uuid)?.shift() ?? { ok: true, totalBytes: sizes(input.uuid) };
      if (outcome.ok) {
        onDisk.add(input.uuid);
        corrupt.delete(input.uuid);
      }
      return outcome;
    },
    async verify(uuid) {
      calls.push(`verify ${uuid}`);
      if (!onDisk.has(uuid)) return { ok: false, message: 'no copy' };
      return corrupt.has(uuid) ? { ok: false, message: 'hash-mismatch' } : { ok: true };
    },
    async remove(uuid) {
      calls.push(`remove ${uuid}`);
      onDisk.delete(uuid);
    },
    async cleanup(keep, inProgress) {
      calls.push('cleanup');
      for (const uuid of [...onDisk]) if (!keep.has(uuid) && !inProgress.has(uuid)) onDisk.delete(uuid);
    },
  };
  return {
    port,
    calls: () => [...calls],
    onDisk: (uuid: string) => onDisk.has(uuid),
    /** the next copies of `uuid` end so, in order */
    failWith(uuid: string, ...outcomes: CopyOutcome[]): void {
      queued.set(uuid, [...(queued.get(uuid) ?? []), ...outcomes]);
    },
    corrupt(uuid: string): void {
      corrupt.add(uuid);
    },
    /** a copy on disk (moved into place before a crash) */
    place(uuid: string): void {
      onDisk.add(uuid);
    },
  };
}

export type FakeMirror = ReturnType<typeof createFakeMirror>;
