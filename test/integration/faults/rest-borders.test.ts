import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../../support/media.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

// Found by the seeded fuzz test (fuzz.test.ts): REST bodies that reached the database and failed
// there (500) instead of being refused at the border, and a race that answered 500.
describe('REST borders (fuzz findings)', () => {
  let t: TestInstance;
  let uuid = '';
  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded', overrides: { transcoding: { enabled: false } } });
    const res = await t.uploadMultipart(await generatedClip({ seconds: 1 }), { name: 'target', channelId: '1' });
    uuid = ((await res.json()) as { video: { uuid: string } }).video.uuid;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const json = (method: string, body: unknown, token?: string | null) => ({ method, token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('refuses NUL characters with a 400 naming the field, changing nothing', async () => {
    const update = await t.api(`/api/v1/videos/${uuid}`, json('PUT', { name: 'a\u0000b' }));
    expect(update.status).toBe(400);
    expect(((await update.json()) as { detail: string }).detail).toMatch(/name: must not contain NUL/);
    expect((await t.json<{ name: string }>(`/api/v1/videos/${uuid}`)).name).toBe('target');

    const client = await t.json<{ client_id: string; client_secret: string }>('/api/v1/oauth-clients/local', { token: null });
    const token = await t.api('/api/v1/users/token', { method: 'POST', token: null, body: new URLSearchParams({ ...client, client_id: 'x\u0000', grant_type: 'password', username: 'root', password: 'p' }) });
    expect(token.status).toBe(400);
    const users = await t.api('/api/v1/users', json('POST', { username: 'nul', password: 'password\u0000', email: 'nul@example.org', role: 2 }));
    expect(users.status).toBe(400);
    expect(await t.instance.prisma.user.count({ where: { username: 'nul' } })).toBe(0);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('refuses lone UTF-16 surrogates (valid JSON, refused by jsonb) in any body or query, changing nothing', async () => {
    // found by the fuzz test: a resumable upload's metadata is a JSON column
    const upload = await t.api('/api/v1/videos/upload-resumable', {
      ...json('POST', { name: 'fine', channelId: 1, filename: 'clip\ud800.mp4' }),
      headers: { 'content-type': 'application/json', 'x-upload-content-length': '1000', 'x-upload-content-type': 'video/mp4' },
    });
    expect(upload.status).toBe(400);
    expect(((await upload.json()) as { detail: string }).detail).toMatch(/filename: must not contain lone UTF-16 surrogates/);
    expect(await t.instance.prisma.uploadSession.count()).toBe(0);
    // a handler that reads its body without validate(): the redundancy policy is a JSON column too
    const before = await t.json<Record<string, unknown>>('/api/v1/server/redundancy/policy');
    const policy = await t.api('/api/v1/server/redundancy/policy', json('PUT', { ...before, ['x\udc00']: 1 }));
    expect(policy.status).toBe(400);
    expect(await t.json<Record<string, unknown>>('/api/v1/server/redundancy/policy')).toEqual(before);
    const form = await t.api('/api/v1/server/redundancy/videos', { method: 'POST', body: new URLSearchParams({ videoId: '1\u0000' }) });
    expect(form.status).toBe(400);
    const query = await t.api('/api/v1/search/videos?search=%00', { token: null });
    expect(query.status).toBe(400);
    expect(((await query.json()) as { detail: string }).detail).toBe('invalid query: search: must not contain NUL characters');
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('answers 404, not 500, for video ids beyond PostgreSQL integers', async () => {
    expect((await t.api('/api/v1/videos/9999999999', { token: null })).status).toBe(404);
    const playback = await t.api(
      '/api/v1/metrics/playback',
      json('POST', { playerMode: 'web-video', resolution: 240, p2pEnabled: false, p2pPeers: 0, resolutionChanges: 0, bufferStalled: 0, errors: 0, downloadedBytesP2P: 0, downloadedBytesHTTP: 1, uploadedBytesP2P: 0, videoId: 9_999_999_999 }, null),
    );
    expect(playback.status).toBe(404);
    expect((await t.api('/api/v1/videos/9999999999/token', { method: 'POST' })).status).toBe(404);
  });

  it('refuses row ids beyond PostgreSQL integers in redundancy requests and share URLs, changing nothing', async () => {
    const copy = await t.api('/api/v1/server/redundancy/videos', { method: 'POST', body: new URLSearchParams({ videoId: '9999999999' }) });
    expect(copy.status).toBe(400);
    expect((await t.api('/api/v1/server/redundancy/videos/9999999999', { method: 'DELETE' })).status).toBe(400);
    const share = await fetch(`${t.url}/videos/watch/${uuid}/announces/9999999999`, { headers: { accept: 'application/activity+json' } });
    expect(share.status).toBe(404);
    expect(await t.instance.prisma.videoRedundancy.count()).toBe(0);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('refuses channel ids beyond PostgreSQL integers in uploads, updates and lives with a 400, changing nothing', async () => {
    for (const channelId of [1e308, 9_999_999_999, '99999999999999999999', 0]) {
      const update = await t.api(`/api/v1/videos/${uuid}`, json('PUT', { channelId, name: 'renamed' }));
      expect(update.status, `update with channelId ${channelId}`).toBe(400);
      const live = await t.api('/api/v1/videos/live', json('POST', { channelId, name: 'a live' }));
      expect(live.status, `live with channelId ${channelId}`).not.toBe(500);
    }
    const upload = await t.uploadMultipart(await generatedClip({ seconds: 1 }), { name: 'huge channel', channelId: '99999999999999999999' });
    expect(upload.status).toBe(400);
    expect((await t.json<{ name: string }>(`/api/v1/videos/${uuid}`)).name).toBe('target');
    expect((await t.json<{ total: number }>('/api/v1/videos?count=0')).total).toBe(1);
  });

  it('answers 409 to all but one of concurrent creations of the same user', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const res = await t.api('/api/v1/users', json('POST', { username: 'twin', password: 'twin-password', email: 'twin@example.org', role: 2 }));
        await res.body?.cancel();
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409)).toBe(true);
    expect(await t.instance.prisma.user.count({ where: { username: 'twin' } })).toBe(1);
  });
});
