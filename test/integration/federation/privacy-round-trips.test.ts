import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_JOB } from '../../../src/federation/delivery/delivery-payload.js';
import { INBOX_JOB } from '../../../src/federation/inbox/process-activity.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

// A video made private is unfederated with a Delete. Made public and private again, its second
// Delete reused the first one's id and body, so the follower's inbox dropped it as a replay and
// kept showing the video. Every Delete (and the Create of a video coming back) now has its own id.
describe('a video made private twice', () => {
  let origin: TestInstance;
  let follower: TestInstance;
  let uuid = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const setPrivacy = async (privacy: number) => {
    const res = await origin.api(`/api/v1/videos/${uuid}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ privacy }) });
    expect(res.status).toBe(204);
  };
  const open = (t: TestInstance, kind: string) => t.instance.prisma.job.count({ where: { kind, state: { in: ['pending', 'active'] } } });
  /** Every delivery of the origin made, and every activity the follower received handled. */
  const settled = () =>
    waitFor('deliveries and inbox settled', async () => {
      if ((await open(origin, DELIVERY_JOB)) > 0) return undefined;
      if ((await open(follower, INBOX_JOB)) > 0) return undefined;
      return (await follower.instance.prisma.inboxActivity.count({ where: { state: 'pending' } })) === 0 ? true : undefined;
    }, 90_000);
  const onFollower = async () => (await follower.api(`/api/v1/videos/${uuid}`)).status;

  beforeAll(async () => {
    [origin, follower] = await Promise.all([startTestInstance({ db: 'embedded' }), startTestInstance({ db: 'embedded' })]);
    await follower.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(origin)] }) });
    uuid = ((await (await origin.uploadMultipart(await generatedClip(), { name: 'back and forth', channelId: '1' })).json()) as { video: { uuid: string } }).video.uuid;
    await origin.waitForPublished(uuid);
    await waitFor('the video on the follower', async () => ((await onFollower()) === 200 ? true : undefined), 60_000);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([origin, follower].filter(Boolean).map((i) => i.stop()));
  });

  it('public → private → public → private: the follower ends without the video', async () => {
    await setPrivacy(3);
    await settled();
    expect(await onFollower()).toBe(404);

    await setPrivacy(1);
    await settled();
    expect(await onFollower()).toBe(200);

    await setPrivacy(3);
    await settled();
    expect(await onFollower()).toBe(404);

    // the two Deletes and the two Creates were told apart by id
    const received = await follower.instance.prisma.inboxActivity.findMany({ where: { type: { in: ['Delete', 'Create'] } }, select: { type: true, activityId: true } });
    const ids = (type: string) => new Set(received.filter((r) => r.type === type).map((r) => r.activityId));
    expect(ids('Delete').size).toBe(2);
    expect(ids('Create').size).toBe(2);
  }, 240_000);
});
