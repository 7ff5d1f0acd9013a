import type { Prisma } from '../db/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { measureFolders } from './folder-usage.js';
import { createPrunePrismaStore } from './prune-store.js';
import { createPruner } from './pruner.js';

/**
 * Housekeeping: finished jobs and handled inbox activities pruned past their retention, in bounded
 * batches; the bytes under each storage folder measured for the storage metrics.
 */
export function createHousekeeping(deps: {
  /** the instance's retention settings (jobs, federation.inbox_retention) */
  config: {
    jobs: { completed_retention: number; failed_retention: number; prune_batch_size: number; prune_max_batches: number };
    federation: { inbox_retention: number };
  };
  prisma: Prisma;
  clock: Clock;
  logger: Logger;
  /** the storage folders measured, and where their sizes go (the storage metrics) */
  storageUsage: { folders: readonly (readonly [string, string])[]; setUsed: (folder: string, bytes: number) => void };
}) {
  const { config } = deps;
  const pruner = createPruner({
    store: createPrunePrismaStore(deps.prisma),
    clock: deps.clock,
    logger: deps.logger,
    settings: {
      completedJobsMs: config.jobs.completed_retention,
      failedJobsMs: config.jobs.failed_retention,
      inboxActivitiesMs: config.federation.inbox_retention,
      batchSize: config.jobs.prune_batch_size,
      maxBatches: config.jobs.prune_max_batches,
    },
  });
  const { folders, setUsed } = deps.storageUsage;
  return {
    pruner,
    /** the bytes under each storage folder (the storage-usage tick) */
    measureStorage: (signal?: AbortSignal) => measureFolders(folders, setUsed, signal),
  };
}
