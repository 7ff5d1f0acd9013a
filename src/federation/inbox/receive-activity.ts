import type { Clock } from '../../lib/clock.js';
import { fail, ok, type Result } from '../../lib/result.js';
import {
  checkActivityOrigin,
  readLdSignature,
  verifyJsonLd,
  verifyRequestSignature,
  type ActivityOriginFailure,
  type FetchPublicKey,
  type LdSignatureOutcome,
  type RequestSignatureFailure,
} from '../signatures/index.js';
import { activityDigest } from './activity-digest.js';
import { createBatchedWriter } from './batched-writer.js';
import { parseJsonWithDepthLimit } from './json-guard.js';
import { checkLdContexts, withoutUnsignedTerms, type LdContextRefusal } from './ld-context-guard.js';
import { findUnstorableText, type UnstorableText } from '../../lib/unstorable-text.js';

/** An accepted activity as the inbox stores it. */
export interface InboxRow {
  activityId: string;
  bodyDigest: string;
  type: string;
  actorUrl: string;
  signerUrl: string;
  payload: unknown;
}

/** Where the inbox keeps what it accepts (inbox-store.ts over the database). */
export interface InboxStore {
  /** hosts an admin blocked */
  blockedHosts(): Promise<string[]>;
  /**
   * Stores a batch in one statement, each new activity with one pending job of `kind` that
   * processes it; an activity already stored with the same id and body digest inserts nothing.
   * Rows are inserted in activity id order, rows of one id in batch order (no deadlock between two
   * batches). Returns the keys inserted.
   */
  insertWithJobs(batch: readonly InboxRow[], job: { now: Date; kind: string; maxAttempts: number }): Promise<{ activityId: string; bodyDigest: string }[]>;
}

export type InboxRefusal =
  | { type: 'body-too-large'; limit: number }
  | { type: 'bad-content-type'; contentType: string }
  | { type: 'malformed-json' }
  | { type: 'json-too-deep' }
  | { type: 'signature'; reason: RequestSignatureFailure }
  | { type: 'malformed-activity'; message: string }
  | { type: 'origin'; reason: ActivityOriginFailure }
  | { type: 'blocked-host'; host: string }
  | { type: 'collection-too-large'; items: number; limit: number }
  | { type: 'unstorable-text'; at: UnstorableText }
  | { type: 'ld-context'; reason: LdContextRefusal };

export interface InboundRequest {
  method: string;
  /** path with query, as received */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface InboxMetricsPort {
  /** one inbound request's outcome: accepted, duplicate, or the refusal type */
  received(outcome: string, activityType: string): void;
  signatureRefused(reason: string): void;
}

const ACTIVITY_TYPES = /^application\/(activity\+json|ld\+json)\b/i;
const AS_COLLECTIONS = new Set(['Collection', 'OrderedCollection', 'CollectionPage', 'OrderedCollectionPage']);
const MAX_JSON_DEPTH = 32;
const BLOCKLIST_TTL_MS = 5000;
const MAX_BATCH = 200;

const hostOf = (url: string): string | null => {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
};
const isHttpUrl = (url: string): boolean => {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
};
const idOf = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined;

/**
 * The inbound checks of ../shared/reference/inbound-checks.md, in order; nothing is stored or
 * fetched for an activity until the cheaper checks before have passed. An accepted activity is
 * written (with its processing job) in one transaction before the caller answers 2xx; a repeat of
 * an activity id is accepted and ignored.
 */
export function createActivityReceiver(deps: {
  store: InboxStore;
  clock: Clock;
  /** our public host (signed requests for another host are refused) */
  host: string;
  fetchPublicKey: FetchPublicKey;
  maxBodyBytes: number;
  maxCollectionItems: number;
  /** the job kind that processes stored activities, and its attempts */
  jobKind: string;
  jobMaxAttempts: number;
  /** wakes the local inbox workers after new activities were stored */
  wake(): void;
  metrics?: InboxMetricsPort;
}) {
  const { store: inbox } = deps;

  // Blocked hosts, re-read at most every few seconds (an admin's block applies within that delay).
  let blockedCache: { at: number; hosts: Set<string> } | undefined;
  async function blockedHosts(): Promise<Set<string>> {
    const now = deps.clock.now().getTime();
    if (!blockedCache || now - blockedCache.at > BLOCKLIST_TTL_MS) {
      blockedCache = { at: now, hosts: new Set(await inbox.blockedHosts()) };
    }
    return blockedCache.hosts;
  }

  /** The LD signature's verdict, with the terms it does not cover (when it verified). */
  async function ldOutcome(activity: Record<string, unknown>): Promise<{ outcome: LdSignatureOutcome; unsignedTerms: readonly string[] } | undefined> {
    const read = readLdSignature(activity);
    if (!read.ok) return undefined;
    const key = await deps.fetchPublicKey(read.signature.creator, { refresh: false });
    if (!key.ok) return { outcome: { ok: false, reason: { type: 'ld-key-unavailable' } }, unsignedTerms: [] };
    const verified = await verifyJsonLd(activity, key.key.keyObject ?? key.key.publicKeyPem);
    return verified.ok ? { outcome: { ok: true, owner: key.key.owner }, unsignedTerms: verified.unsignedTerms } : { outcome: { ok: false, reason: verified.reason }, unsignedTerms: [] };
  }

  async function check(request: InboundRequest): Promise<Result<{ activities: Record<string, unknown>[]; signer: string }, InboxRefusal>> {
    if (request.body.length > deps.maxBodyBytes) return fail({ type: 'body-too-large', limit: deps.maxBodyBytes });
    const contentType = String(request.headers['content-type'] ?? '');
    if (!ACTIVITY_TYPES.test(contentType)) return fail({ type: 'bad-content-type', contentType });
    const parsed = parseJsonWithDepthLimit(request.body.toString('utf8'), MAX_JSON_DEPTH);
    if (!parsed.ok) return fail({ type: parsed.reason });
    const doc = parsed.value;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail({ type: 'malformed-activity', message: 'the body is not a JSON object' });
    // strings PostgreSQL cannot store would fail the write this activity shares with others
    const unstorable = findUnstorableText(doc);
    if (unstorable) return fail({ type: 'unstorable-text', at: unstorable });

    const signature = await verifyRequestSignature({
      request: { method: request.method, path: request.path, headers: request.headers, body: request.body },
      now: deps.clock.now(),
      fetchPublicKey: deps.fetchPublicKey,
      expectedHost: deps.host,
    });
    if (!signature.ok) return fail({ type: 'signature', reason: signature.reason });

    const record = doc as Record<string, unknown>;
    let activities: Record<string, unknown>[] = [record];
    if (typeof record.type === 'string' && AS_COLLECTIONS.has(record.type)) {
      const items = record.orderedItems ?? record.items;
      if (!Array.isArray(items)) return fail({ type: 'malformed-activity', message: 'a collection without items' });
      if (items.length > deps.maxCollectionItems) return fail({ type: 'collection-too-large', items: items.length, limit: deps.maxCollectionItems });
      activities = items.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null && !Array.isArray(i));
    }

    const verified: Record<string, unknown>[] = [];
    for (const activity of activities) {
      if (typeof activity.id !== 'string' || typeof activity.type !== 'string' || !idOf(activity.actor)) {
        return fail({ type: 'malformed-activity', message: 'an activity needs an id, a type and an actor' });
      }
      const actor = idOf(activity.actor)!;
      if (!isHttpUrl(activity.id) || !isHttpUrl(actor)) return fail({ type: 'malformed-activity', message: 'the id and the actor of an activity must be http(s) URLs' });
      const ld = actor === signature.owner ? undefined : await ldOutcome(activity);
      // An Accept or Reject answers one of OUR activities (a Follow): the embedded object is ours,
      // on our host, and is looked up locally by the handler rather than trusted as sent.
      const answersOurs = (activity.type === 'Accept' || activity.type === 'Reject') && hostOf(idOf(activity.object) ?? '') === deps.host;
      const checked = answersOurs ? { ...activity, object: idOf(activity.object) } : activity;
      const origin = checkActivityOrigin({ activity: checked, signerOwner: signature.owner, ldSignatureResult: ld?.outcome });
      if (!origin.ok) return fail({ type: 'origin', reason: origin.reason });
      if (!origin.forwarded) {
        verified.push(activity);
        continue;
      }
      // accepted on its LD signature: handlers may read only what that signature binds
      const contexts = checkLdContexts(activity);
      if (contexts) return fail({ type: 'ld-context', reason: contexts });
      verified.push(withoutUnsignedTerms(activity, ld?.unsignedTerms ?? []));
    }
    activities = verified;

    const blocked = await blockedHosts();
    for (const a of activities) {
      const host = hostOf(idOf(a.actor)!);
      if (host !== null && blocked.has(host)) return fail({ type: 'blocked-host', host });
    }
    return ok({ activities, signer: signature.owner });
  }

  /**
   * Stores activities with their processing jobs, durably, before the caller answers. Writes are
   * grouped (batched-writer.ts): one statement, one round trip and one commit per batch under load,
   * no added latency when the inbox is quiet; a batch the database refuses is written again row by
   * row, so only the guilty activity fails. An activity already stored with the same id AND body
   * digest inserts nothing (an exact replay); the same id with another body is stored again.
   */
  const writer = createBatchedWriter<InboxRow>({
    maxBatch: MAX_BATCH,
    // two statements at once keep two database backends busy. Rows of one activity id stay in
    // arrival order (never in two batches at once); each batch inserts in activity id order, so two
    // batches take their index locks in one order and cannot deadlock.
    writers: 2,
    key: (row) => row.activityId,
    async write(batch) {
      const now = deps.clock.now();
      const rows = await inbox.insertWithJobs(batch, { now, kind: deps.jobKind, maxAttempts: deps.jobMaxAttempts });
      // one row per inserted key: the first of identical rows in the batch is the new one
      const created = new Set(rows.map((r) => `${r.bodyDigest} ${r.activityId}`));
      return batch.map((r) => created.delete(`${r.bodyDigest} ${r.activityId}`));
    },
  });

  const store = (activity: Record<string, unknown>, signer: string): Promise<boolean> =>
    writer.submit({
      activityId: activity.id as string,
      bodyDigest: activityDigest(activity),
      type: activity.type as string,
      actorUrl: idOf(activity.actor)!,
      signerUrl: signer,
      payload: activity,
    });

  return {
    async receive(request: InboundRequest): Promise<Result<{ accepted: number; duplicates: number }, InboxRefusal>> {
      const checked = await check(request);
      if (!checked.ok) {
        deps.metrics?.received(checked.reason.type, 'unknown');
        if (checked.reason.type === 'signature') deps.metrics?.signatureRefused(checked.reason.reason.type);
        return checked;
      }
      let accepted = 0;
      let duplicates = 0;
      for (const activity of checked.value.activities) {
        const isNew = await store(activity, checked.value.signer);
        if (isNew) accepted++;
        else duplicates++;
        deps.metrics?.received(isNew ? 'accepted' : 'duplicate', activity.type as string);
      }
      if (accepted > 0) deps.wake();
      return ok({ accepted, duplicates });
    },
  };
}

export type ActivityReceiver = ReturnType<typeof createActivityReceiver>;

/** HTTP status for a refusal: 413 size, 415 type, 400 malformed, 401 unsigned, 403 the rest. */
export function refusalStatus(reason: InboxRefusal): number {
  switch (reason.type) {
    case 'body-too-large':
      return 413;
    case 'bad-content-type':
      return 415;
    case 'malformed-json':
    case 'json-too-deep':
    case 'malformed-activity':
    case 'collection-too-large':
    case 'unstorable-text':
      return 400;
    case 'signature':
      return reason.reason.type === 'missing-signature' ? 401 : 403;
    case 'origin':
    case 'blocked-host':
    case 'ld-context':
      return 403;
  }
}

/** A message for the refusal, safe to send back. */
export function refusalMessage(reason: InboxRefusal): string {
  switch (reason.type) {
    case 'body-too-large':
      return `the activity is larger than ${reason.limit} bytes`;
    case 'bad-content-type':
      return `expected application/activity+json, got "${reason.contentType}"`;
    case 'malformed-json':
      return 'the body is not valid JSON';
    case 'json-too-deep':
      return 'the JSON document is nested too deeply';
    case 'malformed-activity':
      return reason.message;
    case 'collection-too-large':
      return `the collection has ${reason.items} items; at most ${reason.limit} are accepted`;
    case 'signature':
      return `HTTP signature refused: ${reason.reason.type}${'detail' in reason.reason && reason.reason.detail ? ` (${reason.reason.detail})` : ''}`;
    case 'origin':
      return `activity refused: ${reason.reason.type}`;
    case 'blocked-host':
      return `${reason.host} is blocked on this instance`;
    case 'unstorable-text':
      return `a string at ${reason.at.path.slice(0, 200)} holds ${reason.at.problem === 'nul-character' ? 'a U+0000 character' : 'a lone UTF-16 surrogate'}, which cannot be stored`;
    case 'ld-context':
      return `activity refused: ${reason.reason.type} (${reason.reason.detail})`;
  }
}
