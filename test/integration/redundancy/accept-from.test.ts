import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

const MIRROR_POLICY = {
  redundancy: {
    min_lifetime_floor: '1 second',
    videos: { check_interval: '1 second', strategies: [{ strategy: 'recently-added', size: '50MB', min_lifetime: '1 hour', min_views: 0 }] },
  },
};

/** The origin decides whose copies it records: remote_redundancy.videos.accept_from. */
describe.each([
  ['nobody', false],
  ['followings', false],
  ['anybody', true],
] as const)('accept_from: %s', (acceptFrom, listed) => {
  let origin: TestInstance;
  let mirror: TestInstance;
  let uuid = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;

  beforeAll(async () => {
    [origin, mirror] = await Promise.all([
      startTestInstance({ db: 'embedded', overrides: { remote_redundancy: { videos: { accept_from: acceptFrom } } } }),
      startTestInstance({ db: 'embedded', overrides: MIRROR_POLICY }),
    ]);
    // the mirror follows the origin; the origin does not follow the mirror
    await mirror.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(origin)] }) });
    uuid = ((await (await origin.uploadMultipart(await generatedClip(), { name: 'accept from', channelId: '1' })).json()) as { video: { uuid: string } }).video.uuid;
    await origin.waitForPublished(uuid);
    await waitFor('the video on the mirror', () => mirror.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
    await mirror.api(`/api/v1/server/redundancy/${hostOf(origin)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
    await mirror.instance.scheduler.runNow('redundancy-plan');
  });
  afterAll(async () => {
    await Promise.all([origin, mirror].filter(Boolean).map((i) => i.stop()));
  });

  it(listed ? 'records and lists the announced copy' : 'refuses the announced copy', async () => {
    // the mirror made its copy and announced it either way
    await waitFor('the mirror copy', async () => ((await mirror.instance.prisma.videoRedundancy.count({ where: { state: 'active' } })) === 1 ? true : undefined), 60_000);
    const handled = await waitFor('the CacheFile handled by the origin', async () => {
      const row = await origin.instance.prisma.inboxActivity.findFirst({ where: { type: 'Create', actorUrl: `${mirror.url}/accounts/peertube` } });
      return row && row.state !== 'pending' ? row : undefined;
    }, 30_000);
    if (listed) {
      expect(handled.state).toBe('processed');
      await waitFor('the copy listed', async () => {
        const v = await origin.json<{ streamingPlaylists: { redundancies: { baseUrl: string }[] }[] }>(`/api/v1/videos/${uuid}`);
        return v.streamingPlaylists[0]!.redundancies.length === 1 ? true : undefined;
      }, 30_000);
    } else {
      expect(handled).toMatchObject({ state: 'skipped', error: expect.stringContaining(acceptFrom) });
      expect(await origin.instance.prisma.videoRedundancy.count()).toBe(0);
    }
  });
});
