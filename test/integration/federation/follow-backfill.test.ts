import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKFILL_JOB } from '../../../src/federation/backfill/index.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';

type VideoList = { total: number; data: { uuid: string; name: string; isLocal: boolean }[] };

describe('follow brings the back catalogue: B and C follow A after A published', () => {
  let a: TestInstance;
  let b: TestInstance;
  let c: TestInstance;
  const published: { uuid: string; name: string; privacy: string }[] = [];

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      startTestInstance({ db: 'postgres', overrides: { transcoding: { enabled: false } } }),
      startTestInstance({ db: 'embedded' }),
      // C keeps only the newest video of an outbox
      startTestInstance({ db: 'postgres', overrides: { federation: { backfill: { max_videos: 1 } } } }),
    ]);
    const clip = await generatedClip();
    // oldest first: public, unlisted, public, private, public
    for (const [name, privacy] of [['first public', '1'], ['unlisted one', '2'], ['second public', '1'], ['private one', '3'], ['newest public', '1']] as const) {
      const res = await a.uploadMultipart(clip, { name, channelId: '1', privacy });
      expect(res.status).toBe(200);
      const { video } = (await res.json()) as { video: { uuid: string } };
      published.push({ uuid: video.uuid, name, privacy });
    }
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((i) => i.stop()));
  });

  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const follow = async (from: TestInstance, to: TestInstance) => {
    const res = await from.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(to)] }) });
    expect(res.status).toBe(204);
    await waitFor('the follow to be accepted', async () => {
      const list = await from.json<{ data: { state: string; following: { host: string } }[] }>('/api/v1/server/following');
      return list.data.find((f) => f.following.host === hostOf(to))?.state === 'accepted' ? true : undefined;
    }, 30_000);
  };
  const crawlDone = (on: TestInstance) =>
    waitFor('the outbox crawl to finish', async () => {
      const jobs = await on.instance.prisma.job.findMany({ where: { kind: BACKFILL_JOB } });
      return jobs.length > 0 && jobs.every((j) => j.state === 'completed') ? jobs : undefined;
    }, 60_000);

  it('after the follow is accepted, B lists A\'s public videos (not the unlisted or private ones)', async () => {
    expect((await b.json<VideoList>('/api/v1/videos')).total).toBe(0);
    await follow(b, a);
    const jobs = await crawlDone(b);
    expect(jobs).toHaveLength(1);
    const list = await b.json<VideoList>('/api/v1/videos?sort=-publishedAt');
    const publicOnes = published.filter((v) => v.privacy === '1');
    expect(list.data.map((v) => v.uuid).sort()).toEqual(publicOnes.map((v) => v.uuid).sort());
    expect(list.data.every((v) => !v.isLocal)).toBe(true);
    for (const hidden of published.filter((v) => v.privacy !== '1')) expect((await b.api(`/api/v1/videos/${hidden.uuid}`)).status).toBe(404);
  });

  it('federation.backfill.max_videos bounds the crawl: C imports only the newest', async () => {
    await follow(c, a);
    await crawlDone(c);
    const list = await c.json<VideoList>('/api/v1/videos');
    expect(list.data.map((v) => v.name)).toEqual(['newest public']);
  });
});
