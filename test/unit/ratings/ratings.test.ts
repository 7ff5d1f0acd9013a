import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/generated/prisma/client.js';
import type { ActivityHandler, InboundActivity } from '../../../src/federation/inbox/process-activity.js';
import { inboundActivity } from '../../support/fakes/inbound-activity.js';
import type { JobContext } from '../../../src/jobs/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { ok } from '../../../src/lib/result.js';
import { createRateHandlers } from '../../../src/ratings/rate-handlers.js';
import { createRateFederation } from '../../../src/ratings/rate-sender.js';
import type { RatedVideo, RateStore, RateType } from '../../../src/ratings/rate-store.js';
import { createRatingService } from '../../../src/ratings/rating-service.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

/** In-memory RateStore: rates by account and video, counts as the Prisma store keeps them. */
function memoryRates(videos: RatedVideo[]) {
  const rates = new Map<string, { type: RateType; url: string }>();
  const counts = new Map<number, { likes: number; dislikes: number }>(videos.map((v) => [v.id, { likes: 0, dislikes: 0 }]));
  const key = (a: number, v: number) => `${a}|${v}`;
  const move = (video: RatedVideo, removed: RateType | null, added: RateType | null) => {
    const c = counts.get(video.id)!;
    if (removed === added) return;
    if (removed) c[removed === 'like' ? 'likes' : 'dislikes'] = Math.max(0, c[removed === 'like' ? 'likes' : 'dislikes'] - 1);
    if (added) c[added === 'like' ? 'likes' : 'dislikes'] += 1;
  };
  const store: RateStore = {
    videoByUrl: (url) => Promise.resolve(videos.find((v) => v.url === url) ?? null),
    rateOf: (a, v) => Promise.resolve(rates.get(key(a, v)) ?? null),
    setRate({ accountId, video, type, url }) {
      const previous = rates.get(key(accountId, video.id))?.type ?? null;
      rates.set(key(accountId, video.id), { type, url });
      move(video, previous, type);
      return Promise.resolve({ previous });
    },
    removeRate({ accountId, video, url, type }) {
      const existing = rates.get(key(accountId, video.id));
      if (!existing || (url !== undefined && existing.url !== url) || (type !== undefined && existing.type !== type)) return Promise.resolve(null);
      rates.delete(key(accountId, video.id));
      move(video, existing.type, null);
      return Promise.resolve(existing.type);
    },
  };
  return { store, rates, counts };
}

const OURS: RatedVideo = { id: 2, url: 'http://localhost:19500/videos/watch/8fffed66-eb54-40dc-91c4-f4f4a3c92d5b', isLocal: true };
const THEIRS: RatedVideo = { id: 5, url: 'http://localhost:9000/videos/watch/4200905f-881b-413b-b1c0-dbb162bd11e8', isLocal: false };
const ROOT_9000 = 'http://localhost:9000/accounts/root';

function setup() {
  const mem = memoryRates([OURS, THEIRS, { ...OURS, id: 9, url: 'http://localhost:9000/videos/watch/9c034b30-c3ba-4d72-87cb-2c4b81391e52' }]);
  const sent: Record<string, unknown>[] = [];
  const rated: number[] = [];
  const ratings = createRatingService({
    rates: mem.store,
    federation: createRateFederation({ send: (activity, target) => Promise.resolve(void sent.push({ ...activity, _inboxes: target.inboxes, _signer: target.signerActorId })) }),
    logger: createLogger({ level: 'silent' }),
    onLocalVideoRated: (id) => Promise.resolve(void rated.push(id)),
  });
  // actors get ids in order of appearance; an account's id is its actor's
  const actorIds = new Map<string, number>();
  const handlers = createRateHandlers({
    ratings,
    resolver: {
      resolve: (t) => {
        const url = 'url' in t ? t.url : '';
        if (!actorIds.has(url)) actorIds.set(url, actorIds.size + 1);
        return Promise.resolve(ok({ id: actorIds.get(url)!, url, preferredUsername: 'root', name: null, summary: null } as Actor));
      },
    },
    accounts: { accountOf: (actor) => Promise.resolve({ id: actor.id }) },
  });
  const deliver = (body: Record<string, unknown>) => {
    const type = body.type as string;
    const byKey: Record<string, ActivityHandler> = handlers;
    const handler = type === 'Undo' ? byKey[`Undo:${(body.object as { type: string }).type}`]! : byKey[type]!;
    const activity: InboundActivity = inboundActivity({ id: body.id as string, type, actor: body.actor as string, signer: body.actor as string, body });
    return handler(activity, {} as JobContext);
  };
  return { ...mem, sent, rated, ratings, deliver };
}

const session2 = readFileSync(`${PEERTUBE_REAL_DIR}/session-2/to-mirrortube.jsonl`, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { seq: number; requestBody: string });
const captured = (seq: number) => JSON.parse(session2.find((e) => e.seq === seq)!.requestBody) as Record<string, unknown>;

describe('ratings from PeerTube (session-2 seq 137–140)', () => {
  it('like, then dislike (Undo Like + Dislike), then none (Undo Dislike): one rate at a time, counts follow', async () => {
    const t = setup();
    expect(await t.deliver(captured(137))).toEqual({ status: 'processed' });
    expect(t.counts.get(OURS.id)).toEqual({ likes: 1, dislikes: 0 });
    expect(await t.deliver(captured(138))).toEqual({ status: 'processed' });
    expect(t.counts.get(OURS.id)).toEqual({ likes: 0, dislikes: 0 });
    expect(await t.deliver(captured(139))).toEqual({ status: 'processed' });
    expect(t.counts.get(OURS.id)).toEqual({ likes: 0, dislikes: 1 });
    expect(await t.deliver(captured(140))).toEqual({ status: 'processed' });
    expect(t.counts.get(OURS.id)).toEqual({ likes: 0, dislikes: 0 });
    expect(t.rates.size).toBe(0);
    // each change reaches our followers in the video's Update
    expect(t.rated).toEqual([OURS.id, OURS.id, OURS.id, OURS.id]);
  });

  it('a second Like by the same account is not a second like; a Dislike replaces a Like', async () => {
    const t = setup();
    await t.deliver(captured(137));
    await t.deliver({ ...captured(137), id: `${ROOT_9000}/likes/2-again` });
    expect(t.counts.get(OURS.id)).toEqual({ likes: 1, dislikes: 0 });
    // a Dislike without the Undo first (another implementation): replaces the like
    await t.deliver(captured(139));
    expect(t.counts.get(OURS.id)).toEqual({ likes: 0, dislikes: 1 });
    expect(t.rates.size).toBe(1);
  });

  it('an Undo removes only a rate that exists, and counts never go negative', async () => {
    const t = setup();
    expect(await t.deliver(captured(138))).toMatchObject({ status: 'skipped' });
    expect(await t.deliver(captured(140))).toMatchObject({ status: 'skipped' });
    expect(t.counts.get(OURS.id)).toEqual({ likes: 0, dislikes: 0 });
    await t.deliver(captured(139)); // dislike
    // an Undo of a Like while the account dislikes: nothing to undo
    expect(await t.deliver(captured(138))).toMatchObject({ status: 'skipped' });
    expect(t.counts.get(OURS.id)).toEqual({ likes: 0, dislikes: 1 });
    // an Undo naming another account's rate is not this account's to undo
    const forged = { ...captured(140), object: { ...(captured(140).object as object), actor: 'http://localhost:9000/accounts/other' } };
    expect(await t.deliver(forged)).toMatchObject({ status: 'skipped' });
    expect(t.counts.get(OURS.id)).toEqual({ likes: 0, dislikes: 1 });
  });

  it('two accounts: two likes', async () => {
    const t = setup();
    await t.deliver(captured(137));
    const like = JSON.parse(readFileSync(`${PEERTUBE_REAL_DIR}/activity-Like-received-by-a.json`, 'utf8')) as Record<string, unknown>;
    await t.deliver({ ...like, object: OURS.url });
    expect(t.counts.get(OURS.id)).toEqual({ likes: 2, dislikes: 0 });
  });

  it('skips rates of videos that are not ours (PeerTube ignores them)', async () => {
    const t = setup();
    expect(await t.deliver({ ...captured(137), object: THEIRS.url })).toMatchObject({ status: 'skipped' });
    expect(t.counts.get(THEIRS.id)).toEqual({ likes: 0, dislikes: 0 });
  });
});

describe('our users rate (PUT /videos/:id/rate)', () => {
  const actor = { id: 11, url: 'http://us.example/accounts/alice' };
  const owner = { url: 'http://localhost:9000/accounts/root', inbox: 'http://localhost:9000/inbox' };

  it('a remote video: Like, then Undo Like + Dislike, then Undo Dislike, to the origin as PeerTube sends them', async () => {
    const t = setup();
    await t.ratings.rateByLocalUser({ accountId: 1, actor, video: { ...THEIRS, owner }, rating: 'like' });
    await t.ratings.rateByLocalUser({ accountId: 1, actor, video: { ...THEIRS, owner }, rating: 'like' });
    await t.ratings.rateByLocalUser({ accountId: 1, actor, video: { ...THEIRS, owner }, rating: 'dislike' });
    await t.ratings.rateByLocalUser({ accountId: 1, actor, video: { ...THEIRS, owner }, rating: 'none' });
    expect(t.sent.map((a) => `${a.type as string}${a.type === 'Undo' ? `:${(a.object as { type: string }).type}` : ''}`)).toEqual(['Like', 'Undo:Like', 'Dislike', 'Undo:Dislike']);
    const [like, undoLike] = t.sent;
    expect(like).toMatchObject({ to: [owner.url], cc: [], id: `${actor.url}/likes/${THEIRS.id}`, type: 'Like', actor: actor.url, object: THEIRS.url, _inboxes: [owner.inbox], _signer: actor.id });
    // same shape as session-2 seq 138: the undone Like is public, cc the rater's followers
    expect(undoLike).toMatchObject({
      to: [owner.url],
      cc: [],
      type: 'Undo',
      id: `${actor.url}/likes/${THEIRS.id}/undo`,
      object: { to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [`${actor.url}/followers`], id: `${actor.url}/likes/${THEIRS.id}`, type: 'Like' },
    });
    expect(Object.keys(captured(138))).toEqual(Object.keys(undoLike!).filter((k) => !k.startsWith('_')).concat('signature'));
    expect(t.counts.get(THEIRS.id)).toEqual({ likes: 0, dislikes: 0 });
    expect(await t.ratings.ratingOf(1, THEIRS.id)).toBe('none');
  });

  it('our own video: the count changes and followers get an Update; no activity to an origin', async () => {
    const t = setup();
    await t.ratings.rateByLocalUser({ accountId: 1, actor, video: OURS, rating: 'dislike' });
    expect(await t.ratings.ratingOf(1, OURS.id)).toBe('dislike');
    expect(t.counts.get(OURS.id)).toEqual({ likes: 0, dislikes: 1 });
    expect(t.sent).toEqual([]);
    expect(t.rated).toEqual([OURS.id]);
  });
});
