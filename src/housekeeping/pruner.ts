import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { PruneStore } from './prune-store.js';

export interface PruneSettings {
  /** completed jobs are kept this long after they finished (PeerTube: 2 days) */
  readonly completedJobsMs: number;
  /** failed jobs (PeerTube: 7 days) */
  readonly failedJobsMs: number;
  /** processed inbound activities (they deduplicate redeliveries: above the signature window) */
  readonly inboxActivitiesMs: number;
  readonly batchSize: number;
  /** at most this many batches per table and tick: a backlog is spread over ticks */
  readonly maxBatches: number;
}

export interface PruneReport {
  readonly completedJobs: number;
  readonly failedJobs: number;
  readonly inboxActivities: number;
  /** batches run, and the largest one (never above batchSize) */
  readonly batches: number;
  readonly largestBatch: number;
  /** true when a table still had old rows when the tick's batches ran out */
  readonly more: boolean;
}

/**
 * Prunes finished jobs and handled inbound activities past their retention, in bounded batches
 * (short statements and locks, so the queue and the inbox go on meanwhile). Meant for a tick.
 */
export function createPruner(deps: { store: PruneStore; clock: Clock; logger: Logger; settings: PruneSettings }) {
  const { store, settings } = deps;
  const log = deps.logger.child({ component: 'housekeeping' });

  return {
    async tick(signal?: AbortSignal): Promise<PruneReport> {
      const now = deps.clock.now().getTime();
      let batches = 0;
      let largestBatch = 0;
      let more = false;
      const drain = async (batch: (limit: number) => Promise<number>): Promise<number> => {
        let total = 0;
        for (let i = 0; i < settings.maxBatches; i++) {
          if (signal?.aborted) return total;
          const n = await batch(settings.batchSize);
          batches++;
          largestBatch = Math.max(largestBatch, n);
          total += n;
          if (n < settings.batchSize) return total;
        }
        more = true;
        return total;
      };
      const completedJobs = await drain((limit) => store.deleteFinishedJobs('completed', new Date(now - settings.completedJobsMs), limit));
      const failedJobs = await drain((limit) => store.deleteFinishedJobs('failed', new Date(now - settings.failedJobsMs), limit));
      const inboxActivities = await drain((limit) => store.deleteHandledActivities(new Date(now - settings.inboxActivitiesMs), limit));
      const report = { completedJobs, failedJobs, inboxActivities, batches, largestBatch, more };
      if (completedJobs + failedJobs + inboxActivities > 0) log.info(report, 'old jobs and inbox activities pruned');
      return report;
    },
  };
}

export type Pruner = ReturnType<typeof createPruner>;
