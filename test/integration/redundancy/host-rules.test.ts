import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

/**
 * Our policy rules beyond PeerTube: B follows two origins, A and C, with one host rule each (its
 * own budget and filters). One planning tick fills both budgets; the excluded channel (on A) and
 * the excluded tag (on C) are never mirrored.
 */
describe('two host rules: both budgets filled in one tick, excluded channels and tags never mirrored', () => {
  let a: TestInstance;
  let b: TestInstance;
  let c: TestInstance;
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const videos: Record<'kept-a' | 'excluded-channel' | 'kept-c' | 'excluded-tag', string> = { 'kept-a': '', 'excluded-channel': '', 'kept-c': '', 'excluded-tag': '' };

  const upload = async (origin: TestInstance, name: string, fields: Record<string, string | string[]>, token?: string) => {
    const res = await origin.uploadMultipart(await generatedClip(), { name, ...fields }, token);
    expect(res.status).toBe(200);
    const { video } = (await res.json()) as { video: { uuid: string } };
    await origin.waitForPublished(video.uuid);
    return video.uuid;
  };
  const mirrored = async () =>
    (await b.instance.prisma.videoRedundancy.findMany({ where: { actor: { host: null } }, include: { video: { select: { uuid: true } } } })).map((r) => ({
      uuid: r.video.uuid,
      strategy: r.strategy,
      state: r.state,
    }));

  beforeAll(async () => {
    [a, c] = await Promise.all([startTestInstance({ db: 'postgres' }), startTestInstance({ db: 'embedded' })]);
    b = await startTestInstance({
      db: 'postgres',
      overrides: {
        redundancy: {
          min_lifetime_floor: '1 second',
          videos: {
            check_interval: '10 minutes',
            hosts: [
              { host: hostOf(a), size: '50MB', min_lifetime: '1 hour', mirror_all: true, exclude: { channels: [`guest_channel@${hostOf(a)}`] } },
              { host: hostOf(c), size: '50MB', min_lifetime: '1 hour', strategies: [{ strategy: 'recently-added' }], exclude: { tags: ['nsfw'] } },
            ],
          },
        },
      },
    });
    // a second account (and channel) on A, whose videos the rule excludes
    const created = await a.api('/api/v1/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'guest', password: 'guest-password', email: 'guest@example.org', role: 2 }) });
    expect(created.status).toBe(200);
    const guestToken = await a.login('guest', 'guest-password');
    const guestChannel = await a.instance.prisma.videoChannel.findFirstOrThrow({ where: { actor: { preferredUsername: 'guest_channel' } } });
    [videos['kept-a'], videos['excluded-channel'], videos['kept-c'], videos['excluded-tag']] = await Promise.all([
      upload(a, 'root on A', { channelId: '1', tags: ['science'] }),
      upload(a, 'guest on A', { channelId: String(guestChannel.id), tags: ['science'] }, guestToken),
      upload(c, 'science on C', { channelId: '1', tags: ['science'] }),
      upload(c, 'nsfw on C', { channelId: '1', tags: ['nsfw', 'science'] }),
    ]);
    for (const origin of [a, c]) {
      const res = await b.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(origin)] }) });
      expect(res.status).toBe(204);
    }
    // B learns the origins' videos by searching their URLs (they were published before the follow)
    for (const [origin, uuid] of [[a, videos['kept-a']], [a, videos['excluded-channel']], [c, videos['kept-c']], [c, videos['excluded-tag']]] as const) {
      const res = await b.api(`/api/v1/search/videos?search=${encodeURIComponent(`${origin.url}/videos/watch/${uuid}`)}`);
      expect(res.status).toBe(200);
      await waitFor(`${uuid} on B`, () => b.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
    }
    await waitFor('both follows accepted', async () => {
      const list = await b.json<{ data: { state: string }[] }>('/api/v1/server/following');
      return list.data.length === 2 && list.data.every((f) => f.state === 'accepted') ? true : undefined;
    }, 30_000);
    for (const origin of [a, c]) {
      const res = await b.api(`/api/v1/server/redundancy/${hostOf(origin)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
      expect(res.status).toBe(204);
    }
  });
  afterAll(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((i) => i.stop()));
  });

  it('one tick plans a copy in each host budget, and both complete', async () => {
    expect((await b.instance.scheduler.runNow('redundancy-plan')).status).toBe('completed');
    const planned = await mirrored();
    expect(planned.map((p) => [p.uuid, p.strategy]).sort()).toEqual(
      [
        [videos['kept-a'], `host:${hostOf(a)}`],
        [videos['kept-c'], `host:${hostOf(c)}`],
      ].sort(),
    );
    // no second tick: the jobs of this one finish the copies
    await waitFor('both copies active', async () => ((await mirrored()).every((m) => m.state === 'active') ? true : undefined), 60_000);
    expect((await readdir(join(b.config.storage.redundancy, 'hls'))).sort()).toEqual([videos['kept-a'], videos['kept-c']].sort());
    const stats = await b.json<{ videosRedundancy: { strategy: string; totalSize: number; totalUsed: number; totalVideos: number }[] }>('/api/v1/server/stats');
    for (const origin of [a, c]) {
      const budget = stats.videosRedundancy.find((s) => s.strategy === `host:${hostOf(origin)}`)!;
      expect(budget.totalVideos).toBe(1);
      expect(budget.totalUsed).toBeGreaterThan(0);
      expect(budget.totalUsed).toBeLessThanOrEqual(budget.totalSize);
    }
  });

  it('the excluded channel and tag are never mirrored, tick after tick, though each budget has room', async () => {
    for (let i = 0; i < 2; i++) expect((await b.instance.scheduler.runNow('redundancy-plan')).status).toBe('completed');
    const uuids = (await mirrored()).map((m) => m.uuid);
    expect(uuids).not.toContain(videos['excluded-channel']);
    expect(uuids).not.toContain(videos['excluded-tag']);
    expect(uuids).toHaveLength(2);
    // the policy endpoint shows the rules as configured
    const policy = await b.json<{ hosts: { host: string; exclude: Record<string, string[]> }[] }>('/api/v1/server/redundancy/policy');
    expect(policy.hosts.map((h) => h.host).sort()).toEqual([hostOf(a), hostOf(c)].sort());
  });
});
