import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../support/media.js';
import { watchToEnd } from '../support/views.js';
import { startTestInstance, type TestInstance } from '../support/instance.js';
import { waitFor } from '../support/ports.js';

describe('PeerTube REST API (embedded database)', () => {
  let t: TestInstance;
  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded', overrides: { user: { video_quota: '50KB' } } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('OAuth: password and refresh grants, bad credentials, revocation', async () => {
    const client = await t.json<{ client_id: string; client_secret: string }>('/api/v1/oauth-clients/local', { token: null });
    const token = async (body: Record<string, string>) => fetch(`${t.url}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, ...body }) });
    const bad = await token({ grant_type: 'password', username: 'root', password: 'wrong' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('invalid_grant');
    const badClient = await fetch(`${t.url}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ client_id: 'x', client_secret: 'y', grant_type: 'password', username: 'root', password: 'test-root-password' }) });
    expect(((await badClient.json()) as { code: string }).code).toBe('invalid_client');

    const good = (await (await token({ grant_type: 'password', username: 'root', password: 'test-root-password' })).json()) as Record<string, string | number>;
    expect(good.token_type).toBe('Bearer');
    expect(good.expires_in).toBe(86400);
    const refreshed = (await (await token({ grant_type: 'refresh_token', refresh_token: String(good.refresh_token) })).json()) as Record<string, string>;
    expect(refreshed.access_token).toMatch(/^[0-9a-f]{40}$/);
    expect((await t.api('/api/v1/users/me', { token: refreshed.access_token })).status).toBe(200);
    // the refresh token is single-use
    expect((await token({ grant_type: 'refresh_token', refresh_token: String(good.refresh_token) })).status).toBe(400);
    expect((await t.api('/api/v1/users/revoke-token', { method: 'POST', token: refreshed.access_token })).status).toBe(200);
    const after = await t.api('/api/v1/users/me', { token: refreshed.access_token });
    expect(after.status).toBe(401);
    expect(after.headers.get('content-type')).toContain('application/problem+json');
  });

  it('users: an admin creates a user with a default channel; rights are enforced', async () => {
    expect((await t.api('/api/v1/users', { method: 'POST', token: null })).status).toBe(401);
    const create = (body: unknown, token?: string) =>
      t.api('/api/v1/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(token ? { token } : {}) });
    const invalid = await create({ username: 'Bad Name', password: 'x', email: 'nope', role: 9 });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { detail: string }).detail).toMatch(/password|email|role/);
    const ok = await create({ username: 'alice', password: 'alice-password', email: 'alice@example.com', role: 2 });
    expect(ok.status).toBe(200);
    expect((await create({ username: 'alice', password: 'alice-password', email: 'other@example.com', role: 2 })).status).toBe(409);

    const alice = await t.login('alice', 'alice-password');
    const me = await t.json<{ username: string; role: { id: number; label: string }; videoQuota: number; videoChannels: { name: string }[] }>('/api/v1/users/me', { token: alice });
    expect(me.username).toBe('alice');
    expect(me.role).toEqual({ id: 2, label: 'User' });
    expect(me.videoQuota).toBe(50 * 1024);
    expect(me.videoChannels.map((c) => c.name)).toEqual(['alice_channel']);
    expect((await create({ username: 'bob', password: 'bob-password', email: 'bob@example.com', role: 2 }, alice)).status).toBe(403);
    expect((await t.api('/api/v1/jobs/failed', { token: alice })).status).toBe(403);

    const account = await t.json<{ name: string; host: string; url: string }>('/api/v1/accounts/alice', { token: null });
    expect(account).toMatchObject({ name: 'alice', host: `127.0.0.1:${t.instance.port}`, url: `${t.url}/accounts/alice` });
    const channel = await t.json<{ name: string; ownerAccount: { name: string } }>('/api/v1/video-channels/alice_channel', { token: null });
    expect(channel.ownerAccount.name).toBe('alice');
    const channels = await t.json<{ total: number }>('/api/v1/video-channels', { token: null });
    expect(channels.total).toBe(2);
    expect((await t.api('/api/v1/accounts/nobody', { token: null })).status).toBe(404);
  });

  it('videos: update, views, privacy, delete removes files; quota and channel ownership are enforced', async () => {
    const clip = await generatedClip();
    const alice = await t.login('alice', 'alice-password');
    // Alice may not upload into root's channel.
    expect((await t.uploadMultipart(clip, { name: 'not mine', channelId: '1' }, alice)).status).toBe(403);
    const up = await t.uploadMultipart(clip, { name: 'first name', channelId: '1' });
    const { video } = (await up.json()) as { video: { id: number; uuid: string } };
    await t.waitForPublished(video.id);

    const put = await t.api(`/api/v1/videos/${video.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'second name', tags: ['tag1'], privacy: 3, category: 15, language: 'fr' }),
    });
    expect(put.status).toBe(204);
    expect((await t.api(`/api/v1/videos/${video.id}`, { method: 'PUT', token: alice, headers: { 'content-type': 'application/json' }, body: '{"name":"hijack"}' })).status).toBe(403);
    const bad = await t.api(`/api/v1/videos/${video.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"name": "x", "category": 999' });
    expect(bad.status).toBe(400);

    // private now: hidden from anonymous listing and details
    expect((await t.json<{ total: number }>('/api/v1/videos', { token: null })).total).toBe(0);
    expect((await t.api(`/api/v1/videos/${video.uuid}`, { token: null })).status).toBe(401);
    const details = await t.json<{ name: string; tags: string[]; category: { id: number; label: string }; language: { id: string } }>(`/api/v1/videos/${video.uuid}`);
    expect(details).toMatchObject({ name: 'second name', tags: ['tag1'], category: { id: 15, label: 'Science & Technology' }, language: { id: 'fr' } });

    for (let i = 0; i < 3; i++) await watchToEnd(t.api, String(video.id), `viewer-${i}`);
    // the same session again within views.videos.view_expiration: no new view
    await watchToEnd(t.api, String(video.id), 'viewer-0');
    expect((await t.json<{ views: number }>(`/api/v1/videos/${video.id}`)).views).toBe(3);
    expect((await t.json<{ totalLocalVideoViews: number; totalLocalVideos: number }>('/api/v1/server/stats', { token: null })).totalLocalVideoViews).toBe(3);

    // quota: alice has 50 KB, an 80 KB clip is refused before it is stored
    const big = await generatedClip();
    const refused = await t.uploadResumable(big, { name: 'too big for quota', channelId: 2 }, { token: alice });
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { code: string }).code).toBe('quota_reached');

    const del = await t.api(`/api/v1/videos/${video.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await t.api(`/api/v1/videos/${video.id}`)).status).toBe(404);
    // (the private folders of PeerTube's layout stay)
    expect((await readdir(t.instance.layout.hlsRoot)).filter((n) => n !== 'private')).toEqual([]);
    expect(await readdir(t.config.storage.torrents)).toEqual([]);
    expect((await readdir(t.config.storage.web_videos)).filter((n) => n !== 'private')).toEqual([]);
  });

  it('static files: Range, HEAD, ETag, CORS, and no escape from storage', async () => {
    const clip = await generatedClip();
    const { video } = (await (await t.uploadMultipart(clip, { name: 'static', channelId: '1' })).json()) as { video: { uuid: string } };
    const v = (await t.waitForPublished(video.uuid)) as { streamingPlaylists: { files: { fileUrl: string; size: number }[] }[] };
    const file = v.streamingPlaylists[0]!.files[0]!;
    const range = await fetch(file.fileUrl, { headers: { range: 'bytes=10-19' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 10-19/${file.size}`);
    expect(range.headers.get('access-control-allow-origin')).toBe('*');
    expect((await range.arrayBuffer()).byteLength).toBe(10);
    const head = await fetch(file.fileUrl, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(file.size));
    const etag = head.headers.get('etag')!;
    expect((await fetch(file.fileUrl, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(file.fileUrl, { headers: { range: `bytes=${file.size + 10}-` } })).status).toBe(416);
    for (const evil of ['/static/web-videos/..%2f..%2fdb%2fPG_VERSION', '/static/streaming-playlists/hls/%2e%2e/%2e%2e/worker-id', '/lazy-static/torrents/..%5c..%5cworker-id']) {
      const res = await fetch(`${t.url}${evil}`);
      expect(res.status, evil).toBe(404);
    }
  });

  it('PeerTube enumerations, config, health and metrics', async () => {
    expect((await t.json<Record<string, string>>('/api/v1/videos/categories', { token: null }))['1']).toBe('Music');
    expect((await t.json<Record<string, string>>('/api/v1/videos/privacies', { token: null }))['1']).toBe('Public');
    const config = await t.json<{ transcoding: { hls: { enabled: boolean }; enabledResolutions: number[] }; user: { videoQuota: number } }>('/api/v1/config', { token: null });
    expect(config.transcoding.hls.enabled).toBe(true);
    expect(config.transcoding.enabledResolutions).toEqual([144, 240]);
    expect(config.user.videoQuota).toBe(50 * 1024);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    // a video is published inside its transcode job, which is recorded as completed just after
    const jobs = await waitFor('both transcode jobs recorded as completed', async () => {
      const list = await t.json<{ total: number; data: { type: string; state: string }[] }>('/api/v1/jobs/completed');
      return list.total >= 2 ? list : undefined;
    });
    expect(jobs.data.every((j) => j.type === 'video-transcoding' && j.state === 'completed')).toBe(true);
    expect((await t.api('/api/v1/jobs/nonsense')).status).toBe(400);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/mirrortube_job_attempts_total\{kind="video-transcoding",outcome="completed"\} [1-9]/);
    expect(metrics).toMatch(/mirrortube_transcode_duration_seconds_count\{type="hls"\} [1-9]/);
    expect(metrics).toMatch(/mirrortube_uploads_total\{protocol="multipart",outcome="accepted"\} [1-9]/);
    expect(metrics).toContain('process_cpu_seconds_total');
  });
});
