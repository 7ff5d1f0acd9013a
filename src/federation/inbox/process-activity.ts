import { z } from 'zod';
import type { Prisma } from '../../db/index.js';
import type { JobContext, JobHandler } from '../../jobs/index.js';
import type { Clock } from '../../lib/clock.js';
import { createKeyedSerializer } from '../../lib/keyed-serializer.js';
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
  /**
   * The stored row (InboxActivity id) when processed from the inbox: a handler whose effect
   * cannot be repeated claims it in the effect's transaction (inbox-claim-store.ts), so a crash
   * between the effect and the job's outcome never applies the effect twice.
   */
  inboxActivityId?: number;
}

/** processed: it had effects; skipped: nothing to do (unknown object, already gone, not for us) */
export type HandlerOutcome = { status: 'processed' } | { status: 'skipped'; why: string };
export type ActivityHandler = (activity: InboundActivity, ctx: JobContext) => Promise<HandlerOutcome>;

const payloadSchema = z.object({ inboxActivityId: z.number().int().positive() });

/** The handler for a type: own entries only (`constructor`, `__proto__`, … are unknown types). */
export function handlerFor(handlers: Partial<Record<string, ActivityHandler>>, type: string): ActivityHandler | undefined {
  if (!Object.hasOwn(handlers, type)) return undefined;
  const handler = handlers[type];
  return typeof handler === 'function' ? handler : undefined;
}

/**
 * A handler's failure that the activity causes (an invalid URL in it, a field of the wrong shape
 * met by a handler): retrying cannot help, so the activity is skipped once with the reason. A
 * TypeError with a `cause` (a network failure surfaced by fetch) is not one of them.
 */
export function invalidActivityError(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, message, cause } = err as { code?: unknown; message?: unknown; cause?: unknown };
  if (code === 'ERR_INVALID_URL') return `invalid URL${typeof (err as { input?: unknown }).input === 'string' ? ` ${JSON.stringify(((err as { input: string }).input).slice(0, 200))}` : ''}`;
  if (err instanceof TypeError && cause === undefined) return `invalid activity: ${String(message).slice(0, 300)}`;
  return undefined;
}

/**
 * The job that processes a stored inbound activity: dispatches by type through a typed table,
 * records the outcome on the row. Unknown types are logged and skipped. A handler that throws is
 * retried by the job queue; the row stays pending until then, unless the activity itself is at
 * fault (invalidActivityError): then it is skipped once. Rows of one activity id (PeerTube reuses
 * ids with new bodies) are processed one at a time, in arrival order, and a row that a later one
 * of the same id has superseded is skipped: the state converges to what the peer said last.
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
  const serialize = createKeyedSerializer();
  return {
    concurrency: deps.concurrency,
    maxAttempts: 5,
    parse: (raw) => payloadSchema.parse(raw),
    async run(payload, ctx) {
      const first = await deps.prisma.inboxActivity.findUnique({ where: { id: payload.inboxActivityId }, select: { activityId: true } });
      if (!first) return { skipped: 'already handled' };
      return serialize(first.activityId, () => processRow(payload.inboxActivityId, ctx));
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

  async function processRow(id: number, ctx: JobContext): Promise<unknown> {
    const row = await deps.prisma.inboxActivity.findUnique({ where: { id } });
    if (!row || row.state !== 'pending') return { skipped: 'already handled' };
    const later = await deps.prisma.inboxActivity.findFirst({ where: { activityId: row.activityId, id: { gt: row.id } }, select: { id: true } });
    const activity: InboundActivity = { id: row.activityId, type: row.type, actor: row.actorUrl, signer: row.signerUrl, body: row.payload as Record<string, unknown>, inboxActivityId: row.id };
    const handler = handlerFor(deps.handlers, row.type);
    let outcome: HandlerOutcome;
    if (later) {
      outcome = { status: 'skipped', why: 'superseded by a later version of this activity' };
    } else if (!handler) {
      log.info({ type: row.type, activity: row.activityId }, 'activity type not handled: skipped');
      outcome = { status: 'skipped', why: `type ${row.type.slice(0, 100)} is not handled` };
    } else {
      try {
        outcome = await handler(activity, ctx);
      } catch (err) {
        const invalid = invalidActivityError(err);
        if (!invalid) {
          if (ctx.job.attempts >= ctx.job.maxAttempts) {
            await deps.prisma.inboxActivity.update({
              where: { id: row.id },
              data: { state: 'failed', error: String((err as Error).message ?? err).slice(0, 2000), processedAt: deps.clock.now() },
            });
            deps.onProcessed?.(row.type, 'failed');
          }
          throw err;
        }
        log.warn({ type: row.type, activity: row.activityId, err }, 'invalid activity: skipped');
        outcome = { status: 'skipped', why: invalid };
      }
    }
    await deps.prisma.inboxActivity.update({
      where: { id: row.id },
      data: { state: outcome.status, error: outcome.status === 'skipped' ? outcome.why : null, processedAt: deps.clock.now() },
    });
    deps.onProcessed?.(row.type, outcome.status);
    return outcome;
  }
}
