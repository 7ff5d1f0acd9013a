import { z } from 'zod';
import { completed, skipped, type JobContext, type JobHandler } from '../../jobs/index.js';
import type { Clock } from '../../lib/clock.js';
import { createKeyedSerializer } from '../../lib/keyed-serializer.js';
import type { Logger } from '../../lib/logger.js';
import { describeRefusal, parseActivity, type ActivityType, type ParsedActivity } from '../vocab/index.js';

export const INBOX_JOB = 'activitypub-inbox';
export type InboxJobKinds = { [INBOX_JOB]: { inboxActivityId: number } };

/** What a handler learns about the activity it processes. */
export interface InboundActivity<T extends ActivityType = ActivityType> {
  id: string;
  type: T;
  /** the actor's id */
  actor: string;
  /** who signed the HTTP request (the actor, or a forwarder when the LD signature vouched for it) */
  signer: string;
  /** the activity as received and stored: what LD forwarding sends on, unchanged */
  body: Record<string, unknown>;
  /** the activity parsed once by the vocabulary parser (object, its id and type, audience, LD signature) */
  parsed: ParsedActivity;
  /**
   * The stored row (InboxActivity id) when processed from the inbox: a handler whose effect
   * cannot be repeated claims it in the effect's transaction (inbox-claim-store.ts), so a crash
   * between the effect and the job's outcome never applies the effect twice.
   */
  inboxActivityId?: number;
}

/** processed: it had effects; skipped: nothing to do (unknown object, already gone, not for us) */
export type HandlerOutcome = { status: 'processed' } | { status: 'skipped'; why: string };
export type ActivityHandler<T extends ActivityType = ActivityType> = (activity: InboundActivity<T>, ctx: JobContext) => Promise<HandlerOutcome>;

/** A stored inbound activity, as the inbox job reads it. */
export interface StoredInboxActivity {
  id: number;
  activityId: string;
  actorUrl: string;
  signerUrl: string;
  payload: unknown;
}

/** The inbox job's reads and writes of stored activities (inbox-activity-store.ts). */
export interface InboxActivityStore {
  /** the activity id of a stored row, whatever its state; null when the row is gone */
  activityIdOf(id: number): Promise<string | null>;
  /** the row if it is still pending */
  findPending(id: number): Promise<StoredInboxActivity | null>;
  /** whether a later row of the same activity id exists (PeerTube reuses ids with new bodies) */
  hasLaterVersion(row: { id: number; activityId: string }): Promise<boolean>;
  /** records how processing ended */
  record(id: number, outcome: { state: 'processed' | 'skipped' | 'failed'; error: string | null }, at: Date): Promise<void>;
  /** marks the row failed unless it was already handled */
  failIfPending(id: number, error: string, at: Date): Promise<void>;
}

/** Dispatches a parsed activity to the handler registered for its types (inbox-dispatcher.ts). */
export interface ActivityDispatch {
  dispatch(activity: InboundActivity, ctx: JobContext): Promise<HandlerOutcome>;
}

const payloadSchema = z.object({ inboxActivityId: z.number().int().positive() });

/**
 * The activity a handler receives, from a stored (or captured) body: parsed once by the
 * vocabulary parser. A refusal names what is wrong (or the unknown type).
 */
export function toInboundActivity(
  body: unknown,
  source: { signer: string; inboxActivityId?: number },
): { ok: true; activity: InboundActivity } | { ok: false; why: string; unknownType?: string } {
  const parsed = parseActivity(body);
  if (!parsed.ok) {
    if (parsed.reason.type === 'wrong-type') {
      const received = parsed.reason.received ?? 'without a name';
      return { ok: false, why: `type ${received} is not handled`, unknownType: received };
    }
    // a top-level reference that is not a URL reads as before the parser ran (the handler's `new URL` failing)
    const value = parsed.reason.type === 'invalid-field' && typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[parsed.reason.field] : undefined;
    if (typeof value === 'string' && !URL.canParse(value)) return { ok: false, why: `invalid URL ${JSON.stringify(value.slice(0, 200))}` };
    return { ok: false, why: `invalid activity: ${describeRefusal(parsed.reason)}` };
  }
  const p = parsed.value;
  return {
    ok: true,
    activity: {
      id: p.id,
      type: p.type as ActivityType,
      actor: p.actor,
      signer: source.signer,
      body: p.raw,
      parsed: p,
      ...(source.inboxActivityId !== undefined ? { inboxActivityId: source.inboxActivityId } : {}),
    },
  };
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
 * The job that processes a stored inbound activity: parses it once, dispatches it by activity and
 * object type, records the outcome on the row. Unknown types are logged and skipped. A handler that
 * throws is retried by the job queue; the row stays pending until then, unless the activity itself
 * is at fault (invalidActivityError): then it is skipped once. Rows of one activity id (PeerTube
 * reuses ids with new bodies) are processed one at a time, in arrival order, and a row that a later
 * one of the same id has superseded is skipped: the state converges to what the peer said last.
 */
export function createInboxProcessor(deps: {
  store: InboxActivityStore;
  inbox: ActivityDispatch;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  onProcessed?(type: string, outcome: 'processed' | 'skipped' | 'failed'): void;
}): JobHandler<{ inboxActivityId: number }> {
  const { store } = deps;
  const log = deps.logger.child({ component: 'inbox' });
  const serialize = createKeyedSerializer();
  return {
    concurrency: deps.concurrency,
    maxAttempts: 5,
    parse: (raw) => payloadSchema.parse(raw),
    async run(payload, ctx) {
      const activityId = await store.activityIdOf(payload.inboxActivityId);
      if (activityId === null) return skipped('already handled');
      return serialize(activityId, () => processRow(payload.inboxActivityId, ctx));
    },
    // Failure path (issue 10), also when crashes used the attempts up: the activity is failed, never left pending.
    async onFailed({ payload, error }) {
      const parsed = payloadSchema.safeParse(payload);
      if (!parsed.success) return;
      await store.failIfPending(parsed.data.inboxActivityId, error.slice(0, 2000), deps.clock.now());
    },
  };

  async function processRow(id: number, ctx: JobContext) {
    const row = await store.findPending(id);
    if (!row) return skipped('already handled');
    const later = await store.hasLaterVersion(row);
    const inbound = toInboundActivity(row.payload, { signer: row.signerUrl, inboxActivityId: row.id });
    const typeName = inbound.ok ? inbound.activity.type : (inbound.unknownType ?? 'invalid');
    let outcome: HandlerOutcome;
    if (later) {
      outcome = { status: 'skipped', why: 'superseded by a later version of this activity' };
    } else if (!inbound.ok) {
      if (inbound.unknownType !== undefined) log.info({ type: inbound.unknownType.slice(0, 100), activity: row.activityId }, 'activity type not handled: skipped');
      else log.warn({ activity: row.activityId, why: inbound.why }, 'invalid activity: skipped');
      outcome = { status: 'skipped', why: inbound.why.slice(0, 300) };
    } else {
      try {
        outcome = await deps.inbox.dispatch(inbound.activity, ctx);
      } catch (err) {
        const invalid = invalidActivityError(err);
        if (!invalid) {
          if (ctx.job.attempts >= ctx.job.maxAttempts) {
            await store.record(row.id, { state: 'failed', error: String((err as Error).message ?? err).slice(0, 2000) }, deps.clock.now());
            deps.onProcessed?.(typeName, 'failed');
          }
          throw err;
        }
        log.warn({ type: typeName, activity: row.activityId, err }, 'invalid activity: skipped');
        outcome = { status: 'skipped', why: invalid };
      }
    }
    await store.record(row.id, { state: outcome.status, error: outcome.status === 'skipped' ? outcome.why : null }, deps.clock.now());
    deps.onProcessed?.(typeName, outcome.status);
    return completed(outcome);
  }
}
