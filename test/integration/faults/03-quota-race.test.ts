import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { filesUnder, healthy, multipartBody, sendBody, uploadRows } from './fault-support.js';

// Issue 10, item 3: the quota check and the reservation are one atomic step, on both databases:
// twenty parallel uploads by a user with room for three → exactly three accepted.
for (const db of ['embedded', 'postgres'] as const) {
  describe(`faults: parallel uploads against one quota (${db})`, () => {
    let t: TestInstance;
    let clip: Buffer;
    let token = '';
    let channelId = 0;
    beforeAll(async () => {
      t = await startTestInstance({ db, overrides: { transcoding: { enabled: false } } });
      clip = readFileSync(await generatedClip({ seconds: 2 }));
      const created = await t.api('/api/v1/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bob', password: 'bob-password', email: 'bob@example.com', role: 2, videoQuota: Math.floor(clip.length * 3.5) }),
      });
      expect(created.status).toBe(200);
      token = await t.login('bob', 'bob-password');
      channelId = (await t.instance.prisma.videoChannel.findFirstOrThrow({ where: { account: { user: { username: 'bob' } } } })).id;
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('twenty parallel resumable inits with room for three: three 201, seventeen 413 quota_reached', async () => {
      const rowsBefore = await uploadRows(t.instance);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.api('/api/v1/videos/upload-resumable', {
            method: 'POST',
            token,
            headers: { 'content-type': 'application/json', 'x-upload-content-length': String(clip.length) },
            body: JSON.stringify({ name: `parallel ${i}`, channelId, filename: 'clip.mp4' }),
          }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(3);
      expect(statuses.filter((s) => s === 413)).toHaveLength(17);
      for (const a of answers.filter((x) => x.status === 413)) expect(((await a.json()) as { code: string }).code).toBe('quota_reached');
      expect(await t.instance.prisma.quotaReservation.count()).toBe(3);
      expect(await t.instance.prisma.uploadSession.count()).toBe(rowsBefore.sessions! + 3);

      // cancelling gives the room back
      for (const a of answers.filter((x) => x.status === 201)) {
        expect((await t.api(a.headers.get('location')!, { method: 'DELETE', token })).status).toBe(204);
      }
      expect(await t.instance.prisma.quotaReservation.count()).toBe(0);
      expect(await uploadRows(t.instance)).toEqual(rowsBefore);
      expect(await filesUnder(t.instance.layout.resumableTmp)).toEqual([]);
    });

    it('twenty parallel multipart uploads with room for three: three videos, seventeen 413, nothing else stored', async () => {
      const rowsBefore = await uploadRows(t.instance);
      const { body, contentType } = multipartBody({ name: 'parallel multipart', channelId: String(channelId) }, { field: 'videofile', name: 'clip.mp4', bytes: clip });
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          sendBody({
            url: `${t.url}/api/v1/videos/upload`,
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'content-length': String(body.length) },
            body,
          }),
        ),
      );
      const statuses = answers.map((a) => a?.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(3);
      expect(statuses.filter((s) => s === 413)).toHaveLength(17);
      const rows = await uploadRows(t.instance);
      expect(rows.videos).toBe(rowsBefore.videos! + 3);
      expect(rows.files).toBe(rowsBefore.files! + 3);
      const used = await t.json<{ videoQuotaUsed: number }>('/api/v1/users/me/video-quota-used', { token });
      expect(used.videoQuotaUsed).toBe(3 * clip.length);
      expect(await t.instance.prisma.quotaReservation.count()).toBe(0);
      expect(await filesUnder(t.instance.layout.uploadsTmp)).toEqual([]);
      expect(await filesUnder(t.config.storage.web_videos)).toHaveLength(3);
      expect(await healthy(t.url)).toBe(true);
    });
  });
}
