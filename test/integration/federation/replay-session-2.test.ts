import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activityOf,
  LOCAL_VIDEO_UUID,
  PEERTUBE_BASE,
  PEERTUBE_VIDEO_UUID,
  startSession2Replay,
  type Session2Replay,
} from '../../support/peertube-replay.js';

/**
 * Session 2 (a real PeerTube 6.3 against mirrortube, ../shared/reference/peertube/real/session-2)
 * replayed into one of our instances, request by request, with the capture's clock, signatures
 * and bodies; after each step, the state the capture implies.
 */
const idOf = (seq: number) => activityOf(seq).id as string;
const objectOf = (seq: number) => activityOf(seq).object as Record<string, unknown>;

describe.each(['postgres', 'embedded'] as const)('session 2 replayed (%s)', (db) => {
  let r: Session2Replay;
  const prisma = () => r.instance.instance.prisma;
  const accepts = () => r.peertube.deliveries().filter((d) => d.activity.type === 'Accept');
  const remoteVideo = () =>
    r.instance.json<{ streamingPlaylists: { playlistUrl: string; files: { resolution: { id: number } }[] }[] }>(`/api/v1/videos/${PEERTUBE_VIDEO_UUID}`);
  const hlsCopy = () => prisma().videoRedundancy.findFirst({ where: { video: { uuid: LOCAL_VIDEO_UUID }, url: { contains: '/streaming-playlists/hls/' } } });

  beforeAll(async () => {
    r = await startSession2Replay({ db });
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('seq 10: PeerTube accepts our instance follow at our instance actor inbox', async () => {
    const [accept] = await r.replayUntil(10);
    expect(accept?.status).toBe(204);
    const following = await r.instance.json<{ data: { state: string; following: { host: string } }[] }>('/api/v1/server/following');
    expect(following.data).toEqual([expect.objectContaining({ state: 'accepted', following: expect.objectContaining({ host: 'localhost:9000' }) })]);
  });

  it('seq 12: PeerTube follows us; the Accept goes to its instance actor inbox, not its shared inbox', async () => {
    expect((await r.post(12)).status).toBe(204);
    const accept = await r.waitForDelivery('Accept of follows/4', (d) => d.activity.type === 'Accept' && (d.activity.object as { id?: string }).id === idOf(12));
    expect(accept.inbox).toBe(`${PEERTUBE_BASE}/accounts/peertube/inbox`);
    expect(accepts().filter((d) => d.inbox === `${PEERTUBE_BASE}/inbox`)).toEqual([]);
    const followers = await r.instance.json<{ data: { state: string; follower: { host: string } }[] }>('/api/v1/server/followers');
    expect(followers.data).toEqual([expect.objectContaining({ state: 'accepted', follower: expect.objectContaining({ host: 'localhost:9000' }) })]);
  });

  it('seq 15–18: both Updates with the reused id are applied; the remote video ends with the final master and HLS 240+360', async () => {
    await r.replayUntil(17);
    expect((await remoteVideo()).streamingPlaylists[0]?.playlistUrl).toMatch(/fcd52734-b750-49ec-b4f2-134307625b36-master\.m3u8$/);
    expect((await r.post(18)).status).toBe(204);
    const video = await remoteVideo();
    expect(video.streamingPlaylists[0]?.playlistUrl).toBe(
      `${PEERTUBE_BASE}/static/streaming-playlists/hls/${PEERTUBE_VIDEO_UUID}/780082ee-f023-4fc4-be60-294cd9b9bacd-master.m3u8`,
    );
    expect(video.streamingPlaylists[0]?.files.map((f) => f.resolution.id).sort((a, b) => a - b)).toEqual([240, 360]);
    // PeerTube's REST gives a remote video the origin's trackers, as its Video object lists them: its viewers join the origin's swarm
    const listed = (objectOf(18).url as { rel?: string[]; href: string }[]).filter((u) => u.rel?.includes('tracker')).map((u) => u.href);
    expect(listed).toContain(`${PEERTUBE_BASE.replace(/^http/, 'ws')}/tracker/socket`);
    expect((await r.instance.json<{ trackerUrls: string[] }>(`/api/v1/videos/${PEERTUBE_VIDEO_UUID}`)).trackerUrls).toEqual(listed);
    expect((await r.inboxRows(idOf(17))).map((row) => row.state)).toEqual(['processed', 'processed']);
    // an exact replay of the older one is dropped: nothing stored, nothing changed
    expect((await r.post(17)).status).toBe(204);
    expect(await r.inboxRows(idOf(17))).toHaveLength(2);
    expect((await remoteVideo()).streamingPlaylists[0]?.playlistUrl).toMatch(/780082ee-f023-4fc4-be60-294cd9b9bacd-master\.m3u8$/);
  });

  it('seq 132: PeerTube announces its HLS copy of our video; it is recorded with its expires', async () => {
    await r.replayUntil(132);
    const copy = await hlsCopy();
    expect(copy?.url).toBe(objectOf(132).id);
    expect(copy?.expiresOn?.toISOString()).toBe(new Date(objectOf(132).expires as string).toISOString());
  });

  it('seq 141/144: a channel subscription (Follow of a Group) is accepted at the follower account inbox, then undone', async () => {
    await r.replayUntil(140);
    expect((await r.post(141)).status).toBe(204);
    const accept = await r.waitForDelivery('Accept of follows/6', (d) => d.activity.type === 'Accept' && (d.activity.object as { id?: string }).id === idOf(141));
    expect(accept.inbox).toBe(`${PEERTUBE_BASE}/accounts/root/inbox`);
    expect(accept.activity.actor).toBe('http://localhost:19500/video-channels/root_channel');
    const subscription = () => prisma().actorFollow.findFirst({ where: { follower: { url: `${PEERTUBE_BASE}/accounts/root` }, following: { url: 'http://localhost:19500/video-channels/root_channel' } } });
    expect((await subscription())?.state).toBe('accepted');
    expect((await r.post(144)).status).toBe(204);
    expect(await subscription()).toBeNull();
  });

  it('seq 145/152: the repeated viewer ping (same id, new expires) is processed, not dropped', async () => {
    await r.replayUntil(152);
    const rows = await r.inboxRows(idOf(152));
    expect(rows).toHaveLength(2);
    expect(rows.map((row) => row.state)).toEqual(['processed', 'processed']);
  });

  it('seq 157–246: the CacheFile Create/Undo re-sent with the same ids are processed: the copy is recorded again with the new expires, then removed', async () => {
    await r.replayUntil(157);
    expect(await hlsCopy()).toBeNull();
    await r.replayUntil(242);
    const again = await hlsCopy();
    expect(again?.url).toBe(objectOf(242).id);
    expect(objectOf(242).expires).not.toBe(objectOf(132).expires);
    expect(again?.expiresOn?.toISOString()).toBe(new Date(objectOf(242).expires as string).toISOString());
    for (const seq of [187, 239, 242]) {
      const rows = await r.inboxRows(idOf(seq));
      expect(rows, `seq ${seq}`).toHaveLength(2);
      expect(rows[0]?.state, `seq ${seq}`).not.toBe('pending');
    }
    expect((await r.post(243)).status).toBe(204);
    await r.replayUntil(246);
    expect(await hlsCopy()).toBeNull();
    for (const seq of [244, 245, 246]) expect(await r.inboxRows(idOf(seq)), `seq ${seq}`).toHaveLength(2);
    expect((await r.inboxRows(idOf(246)))[0]?.state).toBe('processed');
    // seq 243: PeerTube's Undo of its instance follow
    expect((await r.instance.json<{ total: number }>('/api/v1/server/followers')).total).toBe(0);
  });

  it('an exact replay is still deduplicated', async () => {
    const before = await prisma().inboxActivity.count();
    for (const seq of [12, 152, 242]) expect((await r.post(seq)).status).toBe(204);
    expect(await prisma().inboxActivity.count()).toBe(before);
    expect(await hlsCopy()).toBeNull();
  });

  it('every captured inbox POST was answered 204', () => {
    expect([...r.results.values()].filter((res) => res.status !== 204).map((res) => `${res.seq}: ${res.status} ${res.body}`)).toEqual([]);
  });
});
