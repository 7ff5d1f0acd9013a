import { z } from 'zod';
import type { Prisma } from '../../db/index.js';
import type { JobContext, JobHandler } from '../../jobs/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';

export const INBOX_JOB = 'activitypub-inbox';
export type InboxJobKinds = { [INBOX_JOB]: { inboxActivityId: number } };

/** What a handler learns about the activity it processes. */
export interface InboundActivity {
  id: string;
  type: string;
  /** the actor's id */
  actor: string;
  /** who signed the HTTP request (the actor, or a forwarder when the LD signature vouched for it) */
  signer: string;
  body: Record<string, unknown>;
}

/** processed: it had effects; skipped: nothing to do (unknown object, already gone, not for us) */
export type HandlerOutcome = { status: 'processed' } | { status: 'skipped'; why: string };
export type ActivityHandler = (activity: InboundActivity, ctx: JobContext) => Promise<HandlerOutcome>;

const payloadSchema = z.object({ inboxActivityId: z.number().int().positive() });

/**
 * The job that processes a stored inbound activity: dispatches by type through a typed table,
 * records the outcome on the row. Unknown types are logged and skipped. A handler that throws is
 * retried by the job queue; the row stays pending until then.
 */
export function createInboxProcessor(deps: {
  prisma: Prisma;
  clock: Clock;
  logger: Logger;
  handlers: Partial<Record<string, ActivityHandler>>;
  concurrency: number;
  onProcessed?(type: string, outcome: 'processed' | 'skipped' | 'failed'): void;
}): JobHandler<{ inboxActivityId: number }> {
  const log = deps.logger.child({ component: 'inbox' });
  return {
    concurrency: deps.concurrency,
    maxAttempts: 5,
    parse: (raw) => payloadSchema.parse(raw),
    async run(payload, ctx) {
      const row = await deps.prisma.inboxActivity.findUnique({ where: { id: payload.inboxActivityId } });
      if (!row || row.state !== 'pending') return { skipped: 'already handled' };
      const handler = deps.handlers[row.type];
      const activity: InboundActivity = { id: row.activityId, type: row.type, actor: row.actorUrl, signer: row.signerUrl, body: row.payload as Record<string, unknown> };
      let outcome: HandlerOutcome;
      if (!handler) {
        log.info({ type: row.type, activity: row.activityId }, 'activity type not handled: skipped');
        outcome = { status: 'skipped', why: `type ${row.type} is not handled` };
      } else {
        try {
          outcome = await handler(activity, ctx);
        } catch (err) {
          if (ctx.job.attempts >= ctx.job.maxAttempts) {
            await deps.prisma.inboxActivity.update({
              where: { id: row.id },
              data: { state: 'failed', error: String((err as Error).message ?? err).slice(0, 2000), processedAt: deps.clock.now() },
            });
            deps.onProcessed?.(row.type, 'failed');
          }
          throw err;
        }
      }
      await deps.prisma.inboxActivity.update({
        where: { id: row.id },
        data: { state: outcome.status, error: outcome.status === 'skipped' ? outcome.why : null, processedAt: deps.clock.now() },
      });
      deps.onProcessed?.(row.type, outcome.status);
      return outcome;
    },
    // Failure path (issue 10), also when crashes used the attempts up: the activity is failed, never left pending.
    async onFailed({ payload, error }) {
      const parsed = payloadSchema.safeParse(payload);
      if (!parsed.success) return;
      await deps.prisma.inboxActivity.updateMany({
        where: { id: parsed.data.inboxActivityId, state: 'pending' },
        data: { state: 'failed', error: error.slice(0, 2000), processedAt: deps.clock.now() },
      });
    },
  };
}
