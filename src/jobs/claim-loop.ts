import type { Logger } from '../lib/logger.js';
import type { StoredJob } from './stored-job.js';

/**
 * The claim loops: per kind, claims due jobs while that kind has free slots, one loop at a time
 * (a wake during a loop makes it go round once more).
 */
export function createClaimLoops(deps: {
  /** the kind's concurrency; undefined when no handler is registered */
  concurrencyOf(kind: string): number | undefined;
  kinds(): Iterable<string>;
  canClaim(): boolean;
  runningOf(kind: string): number;
  claim(kind: string): Promise<StoredJob | null>;
  /** gives a job claimed while pausing or stopping straight back */
  giveBack(job: StoredJob): Promise<unknown>;
  launch(job: StoredJob): void;
  logger: Logger;
}) {
  const loops = new Map<string, Promise<void>>();
  const again = new Set<string>();

  function pump(kind: string): void {
    const concurrency = deps.concurrencyOf(kind);
    if (concurrency === undefined || concurrency === 0 || !deps.canClaim()) return;
    if (loops.has(kind)) {
      again.add(kind);
      return;
    }
    const loop = claimWhileFree(kind, concurrency)
      .catch((err: unknown) => deps.logger.error({ err, kind }, 'job claim loop failed'))
      .finally(() => {
        loops.delete(kind);
        if (again.delete(kind)) pump(kind);
      });
    loops.set(kind, loop);
  }

  async function claimWhileFree(kind: string, concurrency: number): Promise<void> {
    do {
      again.delete(kind);
      while (deps.canClaim() && deps.runningOf(kind) < concurrency) {
        let job: StoredJob | null;
        try {
          job = await deps.claim(kind);
        } catch (err) {
          deps.logger.error({ err, kind }, 'claiming a job failed');
          return;
        }
        if (!job) break;
        if (!deps.canClaim()) {
          // Paused or stopping while the claim was in flight: give the job straight back.
          await deps.giveBack(job);
          break;
        }
        deps.launch(job);
      }
    } while (again.has(kind) && deps.canClaim());
  }

  return {
    pump,
    pumpAll(): void {
      for (const kind of deps.kinds()) pump(kind);
    },
    /** the loops in flight (stop() waits for them: their claims hand the job straight back) */
    inFlight: (): Promise<void>[] => [...loops.values()],
  };
}
