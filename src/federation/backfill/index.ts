// Follow brings the back catalogue: the outbox crawl after an Accept of one of our follows.
export { BACKFILL_JOB, createOutboxBackfill, type BackfillJobKinds, type OutboxBackfill } from './outbox-backfill.js';
export { createPrismaBackfillStore, type BackfillStore } from './backfill-store.js';
export { crawlOutboxVideos, type OutboxVideoRef } from './outbox-crawl.js';
