import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followAndWait, hostOf, uploadSeenByFollower } from '../../support/follow.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

interface Details {
  id: number;
  uuid: string;
  likes: number;
  dislikes: number;
}

/** Rates between two of our instances: B follows A; B's users rate A's video through B's REST API. */
describe('ratings: one rate per account, federated to the origin', () => {
  let a: TestInstance;
  let b: TestInstance;
  let uuid = '';
  const counts = async (t: TestInstance) => {
    const d = await t.json<Details>(`/api/v1/videos/${uuid}`, { token: null });
    return { likes: d.likes, dislikes: d.dislikes };
  };
  const rate = (t: TestInstance, rating: unknown, token?: string | null) =>
    t.api(`/api/v1/videos/${uuid}/rate`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rating }), ...(token === undefined ? {} : { token }) });
  const myRating = async (t: TestInstance, token?: string) =>
    (await t.json<{ videoId: number; rating: string }>(`/api/v1/users/me/videos/${uuid}/rating`, token ? { token } : {})).rating;
  const waitCounts = (t: TestInstance, expected: { likes: number; dislikes: number }) =>
    waitFor(`${JSON.stringify(expected)} on ${hostOf(t)}`, async () => {
      const c = await counts(t);
      return c.likes === expected.likes && c.dislikes === expected.dislikes ? true : undefined;
    }, 60_000);

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestInstance({ db: 'postgres' }), startTestInstance({ db: 'embedded' })]);
    await followAndWait(b, a);
    uuid = await uploadSeenByFollower(a, b, 'rated');
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((t) => t.stop()));
  });

  it('validates the body and needs a user', async () => {
    expect((await rate(a, 'love')).status).toBe(400);
    expect((await rate(a, 'like', null)).status).toBe(401);
    expect((await a.api(`/api/v1/users/me/videos/${uuid}/rating`, { token: null })).status).toBe(401);
    expect((await a.api('/api/v1/videos/00000000-0000-4000-8000-000000000000/rate', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"rating":"like"}' })).status).toBe(404);
  });

  it('a user of the origin: one rate, replaced, removed', async () => {
    expect(await myRating(a)).toBe('none');
    expect((await rate(a, 'like')).status).toBe(204);
    expect((await rate(a, 'like')).status).toBe(204);
    expect(await counts(a)).toEqual({ likes: 1, dislikes: 0 });
    expect(await myRating(a)).toBe('like');
    expect((await rate(a, 'dislike')).status).toBe(204);
    expect(await counts(a)).toEqual({ likes: 0, dislikes: 1 });
    expect((await rate(a, 'none')).status).toBe(204);
    expect((await rate(a, 'none')).status).toBe(204);
    expect(await counts(a)).toEqual({ likes: 0, dislikes: 0 });
  });

  it('users of B: Like / Undo + Dislike / Undo reach A; two accounts are two likes', async () => {
    const create = await b.api('/api/v1/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: 'carol-password', email: 'carol@example.org', role: 2, videoQuota: -1, videoQuotaDaily: -1 }),
    });
    expect(create.status).toBeLessThan(300);
    const carol = await b.login('carol', 'carol-password');

    expect((await rate(b, 'like')).status).toBe(204);
    expect((await rate(b, 'like', carol)).status).toBe(204);
    expect(await myRating(b)).toBe('like');
    expect(await myRating(b, carol)).toBe('like');
    await waitCounts(a, { likes: 2, dislikes: 0 });

    expect((await rate(b, 'dislike')).status).toBe(204);
    await waitCounts(a, { likes: 1, dislikes: 1 });
    expect((await rate(b, 'none')).status).toBe(204);
    await waitCounts(a, { likes: 1, dislikes: 0 });
    expect(await myRating(b)).toBe('none');
    const rows = await a.instance.prisma.accountVideoRate.findMany({ include: { account: { include: { actor: true } } } });
    expect(rows.map((r) => [r.account.actor.preferredUsername, r.account.actor.host, r.type])).toEqual([['carol', hostOf(b), 'like']]);
    // what the video's `likes` collection lists: the ids of the Like activities
    const videoId = rows[0]!.videoId;
    expect(await a.instance.ratings.rateUrls(videoId, 'like', { start: 0, count: 10 })).toEqual({ total: 1, items: [expect.stringMatching(new RegExp(`^${b.url}/accounts/carol/likes/\\d+$`))] });
    expect(await a.instance.ratings.rateUrls(videoId, 'dislike', { start: 0, count: 10 })).toEqual({ total: 0, items: [] });
    // and served: the collection and its first page over ActivityPub
    const ap = async (url: string) => (await fetch(url, { headers: { accept: 'application/activity+json' } })).json() as Promise<{ totalItems: number; first?: string; orderedItems?: string[] }>;
    const likes = await ap(`${a.url}/videos/watch/${uuid}/likes`);
    expect(likes.totalItems).toBe(1);
    expect((await ap(likes.first!)).orderedItems).toEqual([expect.stringMatching(new RegExp(`^${b.url}/accounts/carol/likes/\\d+$`))]);
  });
});
