import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOffsetClock } from '../../../src/lib/clock.js';
import { generatedClip } from '../../support/media.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

// Issue 10, item 7: a private video's files were served to anyone who knew its uuid, the transfer
// figures answered without a token and named it, and playback metrics revealed that its id exists.
describe('private videos (PeerTube: private paths, owner/moderators/file token)', () => {
  const clock = createOffsetClock();
  let t: TestInstance;
  let alice = '';
  let bob = '';
  let uuid = '';
  let videoId = 0;

  type Details = {
    id: number;
    privacy: { id: number };
    streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string; files: { fileUrl: string; torrentUrl: string; infoHash?: string; magnetUri: string }[] }[];
    files: { fileUrl: string }[];
  };
  const webVideoPath = async () => new URL((await details()).files[0]!.fileUrl).pathname;
  const details = () => t.json<Details>(`/api/v1/videos/${uuid}`, { token: alice });
  const get = (path: string, token: string | null = null, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  const status = async (path: string, token: string | null = null, headers: Record<string, string> = {}) => {
    const res = await get(path, token, headers);
    await res.body?.cancel();
    return res.status;
  };
  const publicMaster = () => `/static/streaming-playlists/hls/${uuid}/master.m3u8`;
  const privateMaster = () => `/static/streaming-playlists/hls/private/${uuid}/master.m3u8`;
  const setPrivacy = async (privacy: number) => {
    const res = await t.api(`/api/v1/videos/${uuid}`, { method: 'PUT', token: alice, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ privacy }) });
    expect(res.status).toBe(204);
  };

  beforeAll(async () => {
    // web videos too: their private folder has its own gate (by file name)
    t = await startTestInstance({ db: 'embedded', clock, overrides: { transcoding: { web_videos: { enabled: true } } } });
    for (const name of ['alice', 'bob']) {
      const res = await t.api('/api/v1/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: name, password: `${name}-password`, email: `${name}@example.org`, role: 2 }),
      });
      expect(res.status).toBe(200);
    }
    alice = await t.login('alice', 'alice-password');
    bob = await t.login('bob', 'bob-password');
    const me = await t.json<{ videoChannels: { id: number }[] }>('/api/v1/users/me', { token: alice });
    const clip = await generatedClip({ seconds: 2 });
    const res = await t.uploadMultipart(clip, { name: 'secret', channelId: String(me.videoChannels[0]!.id), privacy: '3' }, alice);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { video: { id: number; uuid: string } };
    uuid = body.video.uuid;
    videoId = body.video.id;
    await t.waitForPublished(uuid);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('keeps the files in the private folder, publishes private URLs and never seeds them', async () => {
    const v = await details();
    const playlist = v.streamingPlaylists[0]!;
    expect(playlist.playlistUrl).toBe(`${t.url}${privateMaster()}`);
    for (const f of playlist.files) expect(f.fileUrl.startsWith(`${t.url}/static/streaming-playlists/hls/private/${uuid}/`)).toBe(true);
    const hlsRoot = join(t.config.storage.streaming_playlists, 'hls');
    expect(existsSync(join(hlsRoot, 'private', uuid, 'master.m3u8'))).toBe(true);
    expect(existsSync(join(hlsRoot, uuid))).toBe(false);
    // the torrent's webseed is the private URL
    const torrent = Buffer.from(await (await get(new URL(playlist.files[0]!.torrentUrl).pathname)).arrayBuffer()).toString('latin1');
    expect(torrent).toContain(`/static/streaming-playlists/hls/private/${uuid}/`);
    const infoHash = /xt=urn:btih:([0-9a-f]{40})/i.exec(playlist.files[0]!.magnetUri)?.[1];
    expect(infoHash).toBeTruthy();
    expect(t.instance.seeding.isSeeding(infoHash!)).toBe(false);
    // nor federated
    const ap = await fetch(`${t.url}/videos/watch/${uuid}`, { headers: { accept: 'application/activity+json' } });
    expect(ap.status).toBe(404);
  });

  it('serves the private paths only to the owner, moderators and administrators', async () => {
    expect(await status(publicMaster())).toBe(404);
    expect(await status(privateMaster())).toBe(403);
    expect(await status(privateMaster(), bob)).toBe(403);
    expect(await status(privateMaster(), 'not-a-token')).toBe(401);
    expect(await status(`${privateMaster()}?videoFileToken=forged`)).toBe(403);
    expect(await status(privateMaster(), alice)).toBe(200);
    expect(await status(privateMaster(), t.rootToken)).toBe(200);
    // web videos: /static/web-videos/private/<file>
    const web = await webVideoPath();
    expect(web.startsWith('/static/web-videos/private/')).toBe(true);
    expect(await status(web.replace('/private/', '/'))).toBe(404);
    expect(await status(web)).toBe(403);
    expect(await status(web, bob)).toBe(403);
    expect(await status(web, alice)).toBe(200);
    // the master playlist names its variants relatively: they resolve under the private path
    const master = await (await get(privateMaster(), alice)).text();
    const variant = master.split('\n').find((l) => l.endsWith('.m3u8'))!;
    expect(variant).not.toContain('/');
    expect(await status(`/static/streaming-playlists/hls/private/${uuid}/${variant}`, alice)).toBe(200);
    expect(await status(`/static/streaming-playlists/hls/private/${uuid}/${variant}`)).toBe(403);
  });

  it('gives video file tokens (PeerTube shape) that open the files until they expire', async () => {
    expect((await t.api(`/api/v1/videos/${uuid}/token`, { method: 'POST', token: null })).status).toBe(401);
    expect((await t.api(`/api/v1/videos/${uuid}/token`, { method: 'POST', token: bob })).status).toBe(403);
    const res = await t.api(`/api/v1/videos/${uuid}/token`, { method: 'POST', token: alice });
    expect(res.status).toBe(200);
    const { files } = (await res.json()) as { files: { token: string; expires: string } };
    expect(new Date(files.expires).getTime() - clock.now().getTime()).toBeGreaterThan(8 * 3600_000 - 60_000);

    const fileUrl = new URL((await details()).streamingPlaylists[0]!.files[0]!.fileUrl).pathname;
    const ranged = await get(`${fileUrl}?videoFileToken=${files.token}`, null, { range: 'bytes=0-99' });
    expect(ranged.status).toBe(206);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    // players that cannot send headers: the token is put back into the playlist's URIs
    const reinjected = await (await get(`${privateMaster()}?videoFileToken=${files.token}&reinjectVideoFileToken=true`)).text();
    expect(reinjected).toMatch(new RegExp(`\\.m3u8\\?videoFileToken=${files.token}`));

    clock.advance(8 * 3600_000 + 1000);
    expect(await status(`${fileUrl}?videoFileToken=${files.token}`)).toBe(403);
  });

  it('answers playback metrics for a private id as for a missing one, except to who may see it', async () => {
    const report = (id: number | string, token: string | null) =>
      t.api('/api/v1/metrics/playback', {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ playerMode: 'p2p-media-loader', resolution: 240, p2pEnabled: false, p2pPeers: 0, resolutionChanges: 0, bufferStalled: 0, errors: 0, downloadedBytesP2P: 0, downloadedBytesHTTP: 10, uploadedBytesP2P: 0, videoId: id }),
      });
    const missing = await report(999_999, null);
    const hidden = await report(videoId, null);
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toEqual(await missing.json());
    expect((await report(videoId, bob)).status).toBe(404);
    expect((await report(videoId, alice)).status).toBe(204);
  });

  it('keeps the transfer figures for administrators', async () => {
    expect((await t.api('/api/v1/server/transfers', { token: null })).status).toBe(401);
    expect((await t.api('/api/v1/server/transfers', { token: alice })).status).toBe(403);
    const report = await t.json<{ videos: { data: { videoUuid: string }[] } }>('/api/v1/server/transfers');
    // bytes served from the private paths are not counted per video
    expect(report.videos.data.map((v) => v.videoUuid)).not.toContain(uuid);
  });

  it('moves the files when the privacy changes: the old URLs stop working', async () => {
    await setPrivacy(1);
    let v = await details();
    expect(v.streamingPlaylists[0]!.playlistUrl).toBe(`${t.url}${publicMaster()}`);
    expect(await status(publicMaster())).toBe(200);
    expect(await status(privateMaster(), alice)).toBe(404);
    const web = await webVideoPath();
    expect(web.startsWith('/static/web-videos/private/')).toBe(false);
    expect(await status(web)).toBe(200);
    expect(await status(web.replace('/static/web-videos/', '/static/web-videos/private/'), alice)).toBe(404);
    const torrentPath = new URL(v.streamingPlaylists[0]!.files[0]!.torrentUrl).pathname;
    const torrent = Buffer.from(await (await get(torrentPath)).arrayBuffer()).toString('latin1');
    expect(torrent).toContain(`/static/streaming-playlists/hls/${uuid}/`);
    expect(torrent).not.toContain('/hls/private/');

    await setPrivacy(4);
    v = await details();
    expect(v.streamingPlaylists[0]!.playlistUrl).toBe(`${t.url}${privateMaster()}`);
    expect(await status(publicMaster())).toBe(404);
    expect(await status(privateMaster())).toBe(403);
    // internal: any logged-in user (PeerTube's rule)
    expect(await status(privateMaster(), bob)).toBe(200);
    expect(existsSync(join(t.config.storage.streaming_playlists, 'hls', uuid))).toBe(false);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});
