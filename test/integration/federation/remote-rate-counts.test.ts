import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_JOB } from '../../../src/federation/delivery/delivery-payload.js';
import { INBOX_JOB } from '../../../src/federation/inbox/process-activity.js';
import { followAndWait, uploadSeenByFollower } from '../../support/follow.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

// A remote video's like/dislike counts were written as 0 on every Create and Update: the follower
// never showed the origin's likes, and the next Update erased its own users' rates. The counts now
// follow the origin's likes/dislikes collections (their totalItems), as PeerTube reads them.
describe('remote like/dislike counts follow the origin', () => {
  let a: TestInstance;
  let b: TestInstance;
  let uuid = '';
  const counts = async (t: TestInstance) => {
    const d = await t.json<{ likes: number; dislikes: number }>(`/api/v1/videos/${uuid}`, { token: null });
    return { likes: d.likes, dislikes: d.dislikes };
  };
  const rate = async (t: TestInstance, rating: string, token?: string) => {
    const res = await t.api(`/api/v1/videos/${uuid}/rate`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rating }), ...(token ? { token } : {}) });
    expect(res.status).toBe(204);
  };
  const open = (t: TestInstance, kind: string) => t.instance.prisma.job.count({ where: { kind, state: { in: ['pending', 'active'] } } });
  /** Every delivery made and every received activity handled, on both sides. */
  const settled = () =>
    waitFor('deliveries and inboxes settled', async () => {
      for (const t of [a, b]) {
        if ((await open(t, DELIVERY_JOB)) + (await open(t, INBOX_JOB)) > 0) return undefined;
        if ((await t.instance.prisma.inboxActivity.count({ where: { state: 'pending' } })) > 0) return undefined;
      }
      return true;
    }, 90_000);
  /** An edit on the origin: its followers get an Update of the video. */
  let edits = 0;
  const editOnOrigin = async () => {
    const res = await a.api(`/api/v1/videos/${uuid}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `edited ${++edits}` }) });
    expect(res.status).toBe(204);
    await waitFor('the Update applied on B', async () => ((await b.json<{ name: string }>(`/api/v1/videos/${uuid}`)).name === `edited ${edits}` ? true : undefined), 60_000);
    await settled();
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestInstance({ db: 'postgres' }), startTestInstance({ db: 'embedded' })]);
    await followAndWait(b, a);
    uuid = await uploadSeenByFollower(a, b, 'rated at the origin');
    await settled();
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((t) => t.stop()));
  });

  it('an Update brings the counts of the origin', async () => {
    await rate(a, 'dislike');
    expect(await counts(a)).toEqual({ likes: 0, dislikes: 1 });
    expect(await counts(b)).toEqual({ likes: 0, dislikes: 0 });
    await editOnOrigin();
    expect(await counts(b)).toEqual({ likes: 0, dislikes: 1 });
    await rate(a, 'like');
    await editOnOrigin();
    expect(await counts(b)).toEqual({ likes: 1, dislikes: 0 });
  }, 180_000);

  it("our users' rates survive the next Update (the origin counts them), and removals there follow", async () => {
    await rate(b, 'like');
    expect(await counts(b)).toEqual({ likes: 2, dislikes: 0 });
    await settled();
    expect(await counts(a)).toEqual({ likes: 2, dislikes: 0 });
    await editOnOrigin();
    expect(await counts(b)).toEqual({ likes: 2, dislikes: 0 });
    // the origin's own user takes their like back: B follows on the next Update, ours stays counted
    await rate(a, 'none');
    await editOnOrigin();
    expect(await counts(b)).toEqual({ likes: 1, dislikes: 0 });
  }, 180_000);
});
