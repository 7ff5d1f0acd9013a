import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOffsetClock } from '../../../src/lib/clock.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { watchToEnd } from '../../support/views.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

/**
 * A copy's life under the injected clock: each strategy, min_views, a newer video evicting an
 * older one, renewal past min_lifetime, and a dead mirror's copy expiring everywhere. The three
 * instances share one clock, so moving it moves all of them (signatures stay in their window);
 * every tick runs when the test says (runNow), never on a timer.
 */
const MINUTE = 60_000;
const LIFETIME = 30 * MINUTE;
const policy = (strategy: Record<string, unknown>) => ({ check_interval: '10 minutes', strategies: [{ size: '50MB', min_lifetime: '30 minutes', ...strategy }] });

interface Details {
  id: number;
  views: number;
  streamingPlaylists: { redundancies: { baseUrl: string }[]; files: { size: number }[] }[];
}
interface MyCopies {
  total: number;
  data: { uuid: string; redundancies: { streamingPlaylists: { strategy: string; expiresOn: string }[] } }[];
}

describe('a copy\'s life: strategies, min_views, eviction by newer, renewal, expiry', () => {
  const clock = createOffsetClock();
  let a: TestInstance;
  let b: TestInstance;
  let c: TestInstance;
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const details = (t: TestInstance, uuid: string) => t.json<Details>(`/api/v1/videos/${uuid}`);
  const plan = async (t: TestInstance) => expect((await t.instance.scheduler.runNow('redundancy-plan')).status).toBe('completed');
  const copyBase = (uuid: string) => `${b.url}/static/redundancy/hls/${uuid}`;
  const copiesOnDisk = () => readdir(join(b.config.storage.redundancy, 'hls'));
  const setPolicy = async (body: unknown) => {
    const res = await b.api('/api/v1/server/redundancy/policy', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  };
  /** the video lists exactly B's copy (or none) on A, B and C */
  const expectListed = async (uuid: string, listed: boolean) => {
    for (const t of [a, b, c]) {
      const want = listed ? [{ baseUrl: copyBase(uuid) }] : [];
      await waitFor(`${listed ? 'the copy' : 'no copy'} of ${uuid} listed on ${hostOf(t)}`, async () => {
        const r = (await details(t, uuid)).streamingPlaylists[0]!.redundancies;
        return JSON.stringify(r) === JSON.stringify(want) ? true : undefined;
      }, 60_000);
    }
  };
  const upload = async (name: string) => {
    const { video } = (await (await a.uploadMultipart(await generatedClip(), { name, channelId: '1' })).json()) as { video: { uuid: string } };
    await a.waitForPublished(video.uuid);
    for (const t of [b, c]) await waitFor(`${name} on ${hostOf(t)}`, () => t.api(`/api/v1/videos/${video.uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
    return video.uuid;
  };
  const originExpiry = async (t: TestInstance, uuid: string) =>
    (await t.instance.prisma.videoRedundancy.findFirst({ where: { video: { uuid }, actor: { host: mirrorHost } } }))?.expiresOn?.getTime();

  let mirrorHost = '';
  let v1 = '';
  let v2 = '';

  beforeAll(async () => {
    const fast = { views: { videos: { local_buffer_update_interval: '1 second' } } };
    [a, b, c] = await Promise.all([
      startTestInstance({ db: 'postgres', clock, overrides: fast }),
      startTestInstance({ db: 'embedded', clock, overrides: { ...fast, redundancy: { min_lifetime_floor: '1 second', videos: policy({ strategy: 'trending' }) } } }),
      startTestInstance({ db: 'postgres', clock, overrides: fast }),
    ]);
    mirrorHost = hostOf(b);
    for (const follower of [b, c]) {
      const res = await follower.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) });
      expect(res.status).toBe(204);
    }
    v1 = await upload('older');
    const allow = await b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
    expect(allow.status).toBe(204);
  });
  afterAll(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((i) => i.stop()));
  });

  it('trending: mirrors once allowed, one redundancy listed on all three instances', async () => {
    await plan(b);
    await expectListed(v1, true);
    const mine = await b.json<MyCopies>('/api/v1/server/redundancy/videos?target=remote-videos');
    expect(mine.data.map((d) => [d.uuid, d.redundancies.streamingPlaylists[0]!.strategy])).toEqual([[v1, 'trending']]);
  });

  it('recently-added: nothing below min_views; mirrored once the video has them', async () => {
    // the trending budget leaves the policy: its copy goes; v1 has 0 views < min_views
    await setPolicy(policy({ strategy: 'recently-added', min_views: 2 }));
    await plan(b);
    expect(await copiesOnDisk()).toEqual([]);
    await expectListed(v1, false);
    for (let i = 0; i < 2; i++) await watchToEnd(a.api, v1, `viewer-${i}`);
    await waitFor('the views known on B', async () => ((await details(b, v1)).views >= 2 ? true : undefined), 30_000);
    await plan(b);
    await expectListed(v1, true);
    const mine = await b.json<MyCopies>('/api/v1/server/redundancy/videos?target=remote-videos');
    expect(mine.data.map((d) => [d.uuid, d.redundancies.streamingPlaylists[0]!.strategy])).toEqual([[v1, 'recently-added']]);
  });

  it('a newer video evicts the older one once the budget is full and the older copy lived min_lifetime', async () => {
    const size = (await details(a, v1)).streamingPlaylists[0]!.files.reduce((n, f) => n + f.size, 0);
    // room for one copy only
    await setPolicy(policy({ strategy: 'recently-added', min_views: 0, size: Math.floor(size * 1.5) }));
    v2 = await upload('newer');
    await plan(b);
    // v1's copy is younger than min_lifetime: it stays, v2 waits
    expect(await copiesOnDisk()).toEqual([v1]);
    await expectListed(v2, false);
    clock.advance(LIFETIME + MINUTE);
    await plan(b);
    await expectListed(v2, true);
    await expectListed(v1, false);
    expect(await copiesOnDisk()).toEqual([v2]);
    const stats = await b.json<{ videosRedundancy: { strategy: string; totalSize: number; totalUsed: number; totalVideos: number }[] }>('/api/v1/server/stats');
    const budget = stats.videosRedundancy.find((s) => s.strategy === 'recently-added')!;
    expect(budget.totalVideos).toBe(1);
    expect(budget.totalUsed).toBeLessThanOrEqual(budget.totalSize);
  });

  it('renewal (Update CacheFile) keeps the copy listed past its first expiry, on the origin and on C', async () => {
    const first = await waitFor('the copy recorded on A and C', async () => {
      const [onA, onC] = await Promise.all([originExpiry(a, v2), originExpiry(c, v2)]);
      return onA !== undefined && onC !== undefined ? { onA, onC } : undefined;
    }, 30_000);
    // in the last half of its lifetime: the next tick renews it
    clock.advance(LIFETIME / 2 + MINUTE);
    await plan(b);
    for (const t of [a, c]) {
      await waitFor(`the renewal on ${hostOf(t)}`, async () => ((await originExpiry(t, v2))! > first.onA ? true : undefined), 30_000);
    }
    // past the first expiry, before the renewed one: the expiry ticks keep it
    clock.advance(LIFETIME / 2 + MINUTE);
    expect(clock.now().getTime()).toBeGreaterThan(Math.max(first.onA, first.onC));
    for (const t of [a, c]) expect((await t.instance.scheduler.runNow('redundancy-probe')).status).toBe('completed');
    for (const t of [a, c]) expect((await details(t, v2)).streamingPlaylists[0]!.redundancies).toEqual([{ baseUrl: copyBase(v2) }]);
  });

  it('a dead mirror\'s copy is dropped by the others once it expires', async () => {
    const renewed = (await originExpiry(a, v2))!;
    await b.stop();
    b = undefined as unknown as TestInstance;
    // not expired yet: still known
    for (const t of [a, c]) expect(await originExpiry(t, v2)).toBeDefined();
    clock.advance(renewed - clock.now().getTime() + MINUTE);
    for (const t of [a, c]) {
      expect((await t.instance.scheduler.runNow('redundancy-probe')).status).toBe('completed');
      expect(await originExpiry(t, v2)).toBeUndefined();
      expect((await details(t, v2)).streamingPlaylists[0]!.redundancies).toEqual([]);
    }
  });
});
