import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/federation/signatures/index.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

const MIRROR_POLICY = {
  redundancy: {
    min_lifetime_floor: '1 second',
    videos: { check_interval: '1 second', strategies: [{ strategy: 'recently-added', size: '50MB', min_lifetime: '1 hour', min_views: 0 }] },
  },
};

// Issue 10, item 7: a video made private must stop being federated and mirrored.
describe('a mirrored video made private', () => {
  let origin: TestInstance;
  let mirror: TestInstance;
  let uuid = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const setPrivacy = async (privacy: number) => {
    const res = await origin.api(`/api/v1/videos/${uuid}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ privacy }) });
    expect(res.status).toBe(204);
  };

  beforeAll(async () => {
    [origin, mirror] = await Promise.all([startTestInstance({ db: 'embedded' }), startTestInstance({ db: 'embedded', overrides: MIRROR_POLICY })]);
    await mirror.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(origin)] }) });
    uuid = ((await (await origin.uploadMultipart(await generatedClip(), { name: 'soon private', channelId: '1' })).json()) as { video: { uuid: string } }).video.uuid;
    await origin.waitForPublished(uuid);
    await waitFor('the video on the mirror', () => mirror.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 60_000);
    await mirror.api(`/api/v1/server/redundancy/${hostOf(origin)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
    await mirror.instance.scheduler.runNow('redundancy-plan');
    await waitFor('the copy listed by the origin', async () => ((await origin.instance.prisma.videoRedundancy.count()) === 1 ? true : undefined), 90_000);
  });
  afterAll(async () => {
    await Promise.all([origin, mirror].filter(Boolean).map((i) => i.stop()));
  });

  it('is withdrawn from the mirror, whose copy announcements are then ignored; made public, it federates again', async () => {
    const announced = await origin.instance.prisma.inboxActivity.findFirstOrThrow({ where: { type: 'Create', actorUrl: `${mirror.url}/accounts/peertube` } });

    await setPrivacy(3);
    expect(await origin.instance.prisma.videoRedundancy.count()).toBe(0);
    // the followers were sent a Delete: the mirror forgets the video and its copy
    await waitFor('the video gone from the mirror', () => mirror.api(`/api/v1/videos/${uuid}`).then((r) => (r.status === 404 ? true : undefined)), 60_000);
    await waitFor('the copy gone from the mirror', async () => ((await mirror.instance.prisma.videoRedundancy.count()) === 0 ? true : undefined), 60_000);
    // its files go with the next planning tick (orphan copies are swept there)
    await waitFor('the copy files gone from the mirror', async () => {
      await mirror.instance.scheduler.runNow('redundancy-plan');
      return existsSync(join(mirror.config.storage.redundancy, 'hls', uuid)) ? undefined : true;
    }, 30_000);

    // the mirror announcing its copy again (a new activity) is answered as for an unknown video
    const key = await mirror.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'peertube', host: null } });
    const { signature: _ld, ...payload } = announced.payload as Record<string, unknown>;
    const replay = { ...payload, id: `${String(payload.id)}/again` };
    const body = JSON.stringify(replay);
    const url = `${origin.url}/inbox`;
    const signed = signRequest({ method: 'POST', url, body, keyId: key.keyId!, privateKeyPem: key.privateKeyPem!, now: new Date() });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/activity+json', date: signed.Date, digest: signed.Digest!, signature: signed.Signature }, body });
    expect(res.status).toBe(204);
    const handled = await waitFor('the replay handled', async () => {
      const row = await origin.instance.prisma.inboxActivity.findFirst({ where: { activityId: replay.id }, orderBy: { id: 'desc' } });
      return row && row.state !== 'pending' ? row : undefined;
    }, 30_000);
    expect(handled).toMatchObject({ state: 'skipped', error: expect.stringContaining('unknown video') });
    expect(await origin.instance.prisma.videoRedundancy.count()).toBe(0);

    await setPrivacy(1);
    await waitFor('the video back on the mirror', () => mirror.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 60_000);
  });
});
