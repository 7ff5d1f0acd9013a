import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_JOB } from '../../../src/federation/delivery/index.js';
import { signJsonLd, signRequest } from '../../../src/federation/signatures/index.js';
import { buildLike, withContext } from '../../../src/federation/vocab/index.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { watchToEnd } from '../../support/views.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

interface VideoDetails {
  id: number;
  uuid: string;
  name: string;
  duration: number;
  views: number;
  isLocal: boolean;
  streamingPlaylists: { playlistUrl: string; files: { fileUrl: string; resolution: { id: number } }[] }[];
  trackerUrls: string[];
}

const FAST = { views: { videos: { local_buffer_update_interval: '100ms' } } };

describe('federation between three instances: B and C follow A', () => {
  let a: TestInstance;
  let b: TestInstance;
  let c: TestInstance;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      startTestInstance({ db: 'postgres', overrides: FAST }),
      startTestInstance({ db: 'embedded', overrides: FAST }),
      startTestInstance({ db: 'postgres', overrides: FAST }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((i) => i.stop()));
  });

  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const follow = (from: TestInstance, to: TestInstance) =>
    from.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(to)] }) });
  const remoteVideo = (on: TestInstance, uuid: string) => on.api(`/api/v1/videos/${uuid}`).then(async (r) => (r.ok ? ((await r.json()) as VideoDetails) : undefined));

  it('follows are accepted and listed on both sides', async () => {
    expect((await follow(b, a)).status).toBe(204);
    expect((await follow(c, a)).status).toBe(204);
    for (const follower of [b, c]) {
      await waitFor('the follow to be accepted', async () => {
        const list = await follower.json<{ data: { state: string; following: { host: string; name: string } }[] }>('/api/v1/server/following');
        const entry = list.data.find((f) => f.following.host === hostOf(a));
        return entry?.state === 'accepted' ? entry : undefined;
      }, 30_000);
    }
    const followers = await a.json<{ total: number; data: { follower: { host: string; name: string }; state: string }[] }>('/api/v1/server/followers');
    expect(followers.data.map((f) => `${f.follower.name}@${f.follower.host}`).sort()).toEqual([`peertube@${hostOf(b)}`, `peertube@${hostOf(c)}`].sort());
    expect(followers.data.every((f) => f.state === 'accepted')).toBe(true);
  });

  it('a video uploaded on A appears on B and C with the same uuid, name, duration and playlist URL', async () => {
    const clip = await generatedClip();
    const up = await a.uploadMultipart(clip, { name: 'federated video', channelId: '1' });
    const { video } = (await up.json()) as { video: { uuid: string } };
    const origin = (await a.waitForPublished(video.uuid)) as unknown as VideoDetails;
    for (const follower of [b, c]) {
      // (the Create and the channel's Announce may both import it: wait for the settled copy)
      const copy = await waitFor(`the video with its files on ${hostOf(follower)}`, async () => {
        const v = await remoteVideo(follower, video.uuid);
        return v && v.streamingPlaylists[0]?.files.length === origin.streamingPlaylists[0]!.files.length ? v : undefined;
      }, 30_000);
      expect(copy.isLocal).toBe(false);
      expect(copy).toMatchObject({ uuid: origin.uuid, name: 'federated video', duration: origin.duration });
      expect(copy.streamingPlaylists[0]!.playlistUrl).toBe(origin.streamingPlaylists[0]!.playlistUrl);
      // the origin's trackers, not the follower's (PeerTube's rule): viewers everywhere share the origin's swarm
      expect(copy.trackerUrls).toEqual(origin.trackerUrls);
      expect(copy.trackerUrls).toContain(`${a.url.replace(/^http/, 'ws')}/tracker/socket`);
      expect(copy.streamingPlaylists[0]!.files.map((f) => f.fileUrl)).toEqual(origin.streamingPlaylists[0]!.files.map((f) => f.fileUrl));
      const local = await follower.json<{ total: number }>('/api/v1/videos?isLocal=true&count=0');
      expect(local.total).toBe(0);
      const remote = await follower.json<{ total: number }>('/api/v1/videos?isLocal=false&count=0');
      expect(remote.total).toBe(1);
    }
  });

  it('views on B raise the count that A and C see', async () => {
    const list = await a.json<{ data: { uuid: string }[] }>('/api/v1/videos');
    const uuid = list.data[0]!.uuid;
    for (let i = 0; i < 3; i++) await watchToEnd(b.api, uuid, `viewer-${i}`);
    await waitFor('3 views on A', async () => ((await remoteVideo(a, uuid))?.views === 3 ? true : undefined), 30_000);
    await waitFor('3 views on C', async () => ((await remoteVideo(c, uuid))?.views === 3 ? true : undefined), 30_000);
  });

  it('an edit and a deletion on A reach B and C', async () => {
    const list = await a.json<{ data: { id: number; uuid: string }[] }>('/api/v1/videos');
    const { id, uuid } = list.data[0]!;
    const put = await a.api(`/api/v1/videos/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'renamed on A' }) });
    expect(put.status).toBe(204);
    for (const follower of [b, c]) {
      await waitFor('the new name', async () => ((await remoteVideo(follower, uuid))?.name === 'renamed on A' ? true : undefined), 30_000);
    }
    expect((await a.api(`/api/v1/videos/${id}`, { method: 'DELETE' })).status).toBe(204);
    for (const follower of [b, c]) {
      await waitFor('the deletion', async () => ((await follower.api(`/api/v1/videos/${uuid}`)).status === 404 ? true : undefined), 30_000);
    }
  });

  it('after B unfollows A, new videos of A reach C but not B', async () => {
    expect((await b.api(`/api/v1/server/following/${hostOf(a)}`, { method: 'DELETE' })).status).toBe(204);
    await waitFor('A to drop B as follower', async () => {
      const followers = await a.json<{ data: { follower: { host: string } }[] }>('/api/v1/server/followers');
      return followers.data.some((f) => f.follower.host === hostOf(b)) ? undefined : true;
    }, 30_000);
    const clip = await generatedClip();
    const before = new Date();
    const up = await a.uploadMultipart(clip, { name: 'after unfollow', channelId: '1' });
    const { video } = (await up.json()) as { video: { uuid: string } };
    await a.waitForPublished(video.uuid);
    await waitFor('the new video on C', () => remoteVideo(c, video.uuid), 30_000);
    // C got it through the same delivery path; B, no longer a follower, was sent nothing about it.
    expect((await b.api(`/api/v1/videos/${video.uuid}`)).status).toBe(404);
    const sent = await a.instance.prisma.job.findMany({ where: { kind: DELIVERY_JOB, createdAt: { gte: before } } });
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((j) => JSON.stringify(j.payload).includes(hostOf(b)))).toEqual([]);
  });

  it('search by URL resolves a remote video, and a stale remote copy is refreshed from its origin', async () => {
    const list = await a.json<{ data: { id: number; uuid: string; url: string; name: string }[] }>('/api/v1/videos');
    const target = list.data.find((v) => v.name === 'after unfollow')!;
    // B no longer follows A: it never received this video, but a logged-in user can resolve it by URL.
    const anonymous = await b.json<{ total: number }>(`/api/v1/search/videos?search=${encodeURIComponent(target.url)}`, { token: null });
    expect(anonymous.total).toBe(0);
    const found = await b.json<{ total: number; data: { uuid: string; isLocal: boolean }[] }>(`/api/v1/search/videos?search=${encodeURIComponent(target.url)}`);
    expect(found.total).toBe(1);
    expect(found.data[0]).toMatchObject({ uuid: target.uuid, isLocal: false });
    expect((await remoteVideo(b, target.uuid))?.name).toBe('after unfollow');

    // A renames it; B, not a follower, hears nothing, until its copy is stale and read again.
    const put = await a.api(`/api/v1/videos/${target.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'renamed later' }) });
    expect(put.status).toBe(204);
    expect((await remoteVideo(b, target.uuid))?.name).toBe('after unfollow');
    await b.instance.prisma.video.update({ where: { uuid: target.uuid }, data: { lastFetchedAt: new Date(Date.now() - 2 * 86_400_000) } });
    await remoteVideo(b, target.uuid);
    await waitFor('the refreshed name on B', async () => ((await remoteVideo(b, target.uuid))?.name === 'renamed later' ? true : undefined), 30_000);
  });

  it('A forwards a Like of its video, LD signature intact, to its other followers', async () => {
    const list = await a.json<{ data: { id: number; url: string }[] }>('/api/v1/videos');
    const video = list.data[0]!;
    const liker = await b.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'root', host: null } });
    const like = await signJsonLd(
      withContext(buildLike({ id: `${liker.url}/likes/forward-test`, actor: liker.url, object: video.url, audience: { to: [liker.followersUrl!], cc: [] } }), 'Rate'),
      { creator: liker.keyId!, privateKeyPem: liker.privateKeyPem!, now: new Date() },
    );
    const body = JSON.stringify(like);
    const h = signRequest({ method: 'POST', url: `${a.url}/inbox`, body, keyId: liker.keyId!, privateKeyPem: liker.privateKeyPem!, now: new Date() });
    const res = await fetch(`${a.url}/inbox`, { method: 'POST', body, headers: { 'content-type': 'application/activity+json', date: h.Date, digest: h.Digest!, signature: h.Signature } });
    expect(res.status).toBe(204);
    await waitFor('the like counted on A', async () => ((await a.json<{ likes: number }>(`/api/v1/videos/${video.id}`)).likes === 1 ? true : undefined), 30_000);
    const onC = await waitFor('the forwarded Like on C', () => c.instance.prisma.inboxActivity.findFirst({ where: { activityId: like.id } }).then((r) => r ?? undefined), 30_000);
    const instanceOfA = await a.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'peertube', host: null } });
    // C accepted it on B's LD signature although A's instance actor delivered it.
    expect(onC).toMatchObject({ actorUrl: liker.url, signerUrl: instanceOfA.url });
  });
});
