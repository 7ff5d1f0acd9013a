import { z } from 'zod';
import { completed, type JobContext, type JobHandler } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import type { Result } from '../../lib/result.js';
import type { ActivityHandler } from '../inbox/process-activity.js';
import { includesPublic } from '../vocab/index.js';
import type { BackfillStore } from './backfill-store.js';
import { crawlOutboxVideos, type FetchDocument } from './outbox-crawl.js';

/** PeerTube's queue for crawling a followed actor's outbox after its Accept. */
export const BACKFILL_JOB = 'activitypub-http-fetcher';
export type BackfillJobKinds = { [BACKFILL_JOB]: { actorUrl: string } };

const payloadSchema = z.object({ actorUrl: z.string().url() });
const addresses = (v: unknown): string[] => (Array.isArray(v) ? v.filter((a): a is string => typeof a === 'string') : typeof v === 'string' ? [v] : []);
/** Public, not unlisted: the public collection is in `to` (PeerTube puts it in `cc` for unlisted videos). */
const isPublicVideo = (doc: unknown) => typeof doc === 'object' && doc !== null && includesPublic(addresses((doc as { to?: unknown }).to));
const hostOf = (url: string) => new URL(url).host;

export interface BackfillDeps {
  store: BackfillStore;
  /** a signed GET of an ActivityPub document through the SSRF-safe fetcher */
  fetchObject: FetchDocument;
  /** the federation's video importer (parse, owners, upsert) */
  importObject(doc: unknown, expectedUrl: string): Promise<Result<unknown, { type: string; message: string }>>;
  enqueue(actorUrl: string): Promise<void>;
  logger: Logger;
  limits: { maxVideos: number; maxPages: number };
}

/**
 * "Follow brings the back catalogue" (PeerTube's addFetchOutboxJob on Accept): when a remote actor
 * accepts one of our follows, a durable job crawls its outbox and imports its public videos, the
 * newest `maxVideos` of them, newest first. Videos of other hosts, unlisted ones and ones we hold
 * already are skipped; a video that cannot be imported does not stop the others.
 */
export function createOutboxBackfill(deps: BackfillDeps) {
  const log = deps.logger.child({ component: 'outbox-backfill' });

  async function fetchBody(url: string): Promise<unknown> {
    const fetched = await deps.fetchObject(url);
    if (fetched.ok) return fetched.value;
    log.warn({ video: url, reason: fetched.reason }, 'could not fetch a video of a followed outbox');
    return undefined;
  }

  async function run(payload: { actorUrl: string }, ctx?: Pick<JobContext, 'signal'>) {
    const follow = await deps.store.acceptedFollowOf(payload.actorUrl);
    if (!follow) return { outcome: 'not-following' as const };
    const outboxUrl = follow.outboxUrl ?? `${payload.actorUrl}/outbox`;
    if (hostOf(outboxUrl) !== follow.host) return { outcome: 'outbox-on-another-host' as const };
    const crawled = await crawlOutboxVideos({ outboxUrl, fetch: deps.fetchObject, maxVideos: deps.limits.maxVideos, maxPages: deps.limits.maxPages, ...(ctx ? { signal: ctx.signal } : {}) });
    // an outbox that cannot be read now is retried by the queue
    if (!crawled.ok) throw new Error(`cannot crawl ${outboxUrl}: ${crawled.reason.message}`);
    let imported = 0;
    let skipped = 0;
    let failed = 0;
    for (const ref of crawled.value.videos) {
      // stopping: the job is taken up again (videos imported so far are known then)
      if (ctx?.signal.aborted) throw new Error('stopped');
      if (hostOf(ref.url) !== follow.host || (await deps.store.isKnownVideo(ref.url))) {
        skipped++;
        continue;
      }
      const body = ref.object ?? (await fetchBody(ref.url));
      if (body === undefined || !isPublicVideo(body)) {
        skipped++;
        continue;
      }
      const result = await deps.importObject(body, ref.url);
      if (result.ok) imported++;
      else {
        failed++;
        log.warn({ video: ref.url, reason: result.reason }, 'could not import a video of a followed outbox');
      }
    }
    log.info({ outbox: outboxUrl, pages: crawled.value.pages, imported, skipped, failed }, 'outbox crawled');
    return { outcome: 'crawled' as const, pages: crawled.value.pages, imported, skipped, failed };
  }

  const job: JobHandler<{ actorUrl: string }> = {
    concurrency: 1,
    maxAttempts: 5,
    parse: (raw) => payloadSchema.parse(raw),
    run: async (payload, ctx) => completed(await run(payload, ctx)),
  };

  return {
    job,
    run,
    /** Wraps the Accept handler: an Accept that leaves one of our follows accepted schedules the crawl. */
    afterAccept(handler: ActivityHandler): ActivityHandler {
      return async (activity, ctx) => {
        const outcome = await handler(activity, ctx);
        if (outcome.status === 'processed' && (await deps.store.acceptedFollowOf(activity.actor))) await deps.enqueue(activity.actor);
        return outcome;
      };
    },
  };
}

export type OutboxBackfill = ReturnType<typeof createOutboxBackfill>;
