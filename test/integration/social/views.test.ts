import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOffsetClock } from '../../../src/lib/clock.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

interface Details {
  id: number;
  uuid: string;
  duration: number;
  views: number;
  viewers: number;
}

/**
 * Views between two of our instances: B follows A and plays A's video. B's player reports reach
 * A as a viewer ping (watching now) and, once enough is watched, one View per session; A counts
 * it and sends the new count back in an Update.
 */
describe('views as PeerTube counts them, between two instances', () => {
  const clock = createOffsetClock();
  let a: TestInstance;
  let b: TestInstance;
  /** another follower of A: hears of B's viewers and views through A (PeerTube forwards Views of its videos) */
  let c: TestInstance;
  let video: Details;
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const details = (t: TestInstance) => t.json<Details>(`/api/v1/videos/${video.uuid}`, { token: null });
  const report = (t: TestInstance, body: unknown) =>
    t.api(`/api/v1/videos/${video.uuid}/views`, { method: 'POST', token: null, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const settled = async () => {
    await waitFor('B to deliver everything', async () => ((await b.instance.prisma.job.count({ where: { kind: 'activitypub-http-unicast', state: { in: ['pending', 'active'] } } })) === 0 ? true : undefined), 60_000);
    await waitFor('A to process its inbox', async () => ((await a.instance.prisma.inboxActivity.count({ where: { state: 'pending' } })) === 0 ? true : undefined), 60_000);
  };

  beforeAll(async () => {
    const fast = { views: { videos: { local_buffer_update_interval: '100ms' } } };
    [a, b, c] = await Promise.all([
      startTestInstance({ db: 'postgres', clock, overrides: fast }),
      startTestInstance({ db: 'embedded', clock, overrides: fast }),
      startTestInstance({ db: 'postgres', clock, overrides: fast }),
    ]);
    for (const follower of [b, c]) {
      const res = await follower.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) });
      expect(res.status).toBe(204);
      await waitFor('following A', async () => {
        const list = await follower.json<{ data: { state: string }[] }>('/api/v1/server/following');
        return list.data[0]?.state === 'accepted' ? true : undefined;
      }, 60_000);
    }
    const up = await a.uploadMultipart(await generatedClip({ seconds: 4 }), { name: 'watched', channelId: '1' });
    const { video: created } = (await up.json()) as { video: { uuid: string } };
    await a.waitForPublished(created.uuid);
    video = await a.json<Details>(`/api/v1/videos/${created.uuid}`);
    for (const follower of [b, c]) await waitFor('the video on B and C', () => follower.api(`/api/v1/videos/${created.uuid}`).then((r) => (r.ok ? true : undefined)), 60_000);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((t) => t.stop()));
  });

  it('refuses reports without a valid currentTime, as PeerTube does', async () => {
    expect((await report(a, {})).status).toBe(400);
    expect((await report(a, { currentTime: video.duration + 1 })).status).toBe(400);
    expect((await report(a, { currentTime: -1 })).status).toBe(400);
    expect((await report(a, { currentTime: 0, sessionId: 'not/valid' })).status).toBe(400);
    expect((await report(a, { currentTime: 0, viewEvent: 'pause' })).status).toBe(400);
    expect((await details(a)).views).toBe(0);
  });

  it('a player on B: a viewer on A at once, one view on A (and back on B) once enough is watched', async () => {
    expect((await report(b, { currentTime: 0, sessionId: 's1' })).status).toBe(204);
    expect((await details(b)).viewers).toBe(1);
    await waitFor('the viewer ping on A', async () => ((await details(a)).viewers === 1 ? true : undefined), 60_000);
    expect((await details(a)).views).toBe(0);
    await waitFor('the ping forwarded to C', async () => ((await details(c)).viewers === 1 ? true : undefined), 60_000);

    expect((await report(b, { currentTime: video.duration, sessionId: 's1' })).status).toBe(204);
    await waitFor('the view on A', async () => ((await details(a)).views === 1 ? true : undefined), 60_000);
    await waitFor('the new count back on B', async () => ((await details(b)).views === 1 ? true : undefined), 60_000);
    // C: the forwarded View counts in its per-day views of the video (trending), A's Update brings the total
    await waitFor('the forwarded view on C', async () => {
      const row = await c.instance.prisma.videoViewDaily.findFirst({ where: { video: { uuid: video.uuid } } });
      return row?.views === 1 ? true : undefined;
    }, 60_000);
    await waitFor('the new count on C', async () => ((await details(c)).views === 1 ? true : undefined), 60_000);
  });

  it('the same session again is no new view; another session is', async () => {
    await report(b, { currentTime: 0, sessionId: 's1' });
    await report(b, { currentTime: video.duration, sessionId: 's1' });
    await report(b, { currentTime: 0, sessionId: 's2' });
    await report(b, { currentTime: video.duration, sessionId: 's2' });
    await settled();
    expect((await details(a)).views).toBe(2);
    const views = await a.instance.prisma.inboxActivity.findMany({ where: { type: 'View' } });
    const pings = views.filter((v) => (v.payload as { expires?: string }).expires !== undefined);
    // one View per counted view; one ping per new viewer (s1, s2): a viewer is announced again only after 90 s
    expect(views.length - pings.length).toBe(2);
    expect(pings.map((p) => p.activityId).sort()).toEqual([expect.stringMatching(new RegExp(`/s1-${video.uuid}$`)), expect.stringMatching(new RegExp(`/s2-${video.uuid}$`))]);
    expect((await details(a)).viewers).toBe(2);
  });

  it('viewers leave the count two minutes after their last report', async () => {
    clock.advance(2 * 60_000 + 1000);
    expect((await details(a)).viewers).toBe(0);
    expect((await details(b)).viewers).toBe(0);
  });

  it("the origin's total of viewers reaches its followers (a View with a WatchAction result)", async () => {
    expect((await report(a, { currentTime: 0, sessionId: 'on-a-1' })).status).toBe(204);
    expect((await report(a, { currentTime: 0, sessionId: 'on-a-2' })).status).toBe(204);
    expect((await a.instance.scheduler.runNow('views')).status).toBe('completed');
    await waitFor("A's total on B", async () => ((await details(b)).viewers === 2 ? true : undefined), 60_000);
    const sent = await b.instance.prisma.inboxActivity.findFirstOrThrow({ where: { type: 'View', activityId: { endsWith: `/${video.uuid}` } } });
    expect(sent.payload).toMatchObject({ object: `${a.url}/videos/watch/${video.uuid}`, result: { interactionType: 'WatchAction', type: 'InteractionCounter', userInteractionCount: 2 } });
  });
});
