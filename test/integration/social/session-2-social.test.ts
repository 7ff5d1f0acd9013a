import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaActorStore, remoteActorRecord } from '../../../src/federation/remote/index.js';
import { createInstance, type Instance } from '../../../src/instance.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { waitFor } from '../../support/ports.js';
import { testConfig } from '../../support/instance.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

interface Exchange {
  seq: number;
  time: string;
  method: string;
  url: string;
  requestRawHeaders: string[];
  requestBody: string;
  status: number;
}

const DIR = `${PEERTUBE_REAL_DIR}/session-2`;
const exchanges = readFileSync(`${DIR}/to-mirrortube.jsonl`, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Exchange);
const bySeq = (seq: number) => exchanges.find((e) => e.seq === seq)!;
const VIDEO_UUID = '8fffed66-eb54-40dc-91c4-f4f4a3c92d5b';

/**
 * Session-2 step 4 replayed against a real instance: the signed requests PeerTube 6.3 posted
 * (comment, reply, like, dislike, none, views, delete of the reply), byte for byte, to an instance
 * that is `localhost:19500` for them and whose clock is the capture's. PeerTube's actors are
 * stored as fetched at the time (their keys are the captured ones), so nothing is fetched.
 */
describe('session-2 step 4 replayed: comments, rates, views from PeerTube 6.3', () => {
  const clock = createManualClock(new Date('2026-12-07T11:21:00.000Z'));
  let instance: Instance;
  let cleanup: () => Promise<void>;
  let port = 0;

  const post = (e: Exchange) =>
    new Promise<number>((resolve, reject) => {
      const headers: [string, string][] = [];
      for (let i = 0; i < e.requestRawHeaders.length; i += 2) headers.push([e.requestRawHeaders[i]!, e.requestRawHeaders[i + 1]!]);
      const req = request({ host: '127.0.0.1', port, method: e.method, path: e.url, headers: Object.fromEntries(headers.filter(([k]) => k.toLowerCase() !== 'connection')) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(e.requestBody);
    });
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  /** posts one captured request at its time and waits until the instance has processed it */
  const replay = async (seq: number) => {
    const e = bySeq(seq);
    clock.set(new Date(e.time));
    expect(await post(e)).toBe(204);
    const id = (JSON.parse(e.requestBody) as { id: string }).id;
    return waitFor(`seq ${seq} processed`, async () => {
      const row = await instance.prisma.inboxActivity.findFirst({ where: { activityId: id }, orderBy: { id: 'desc' } });
      return row && row.state !== 'pending' ? row : undefined;
    }, 60_000);
  };
  const video = () => api<{ views: number; viewers: number; likes: number; dislikes: number }>(`/api/v1/videos/${VIDEO_UUID}`);

  beforeAll(async () => {
    const made = await testConfig({ db: 'postgres', overrides: { webserver: { https: false, hostname: 'localhost', port: 19500 } } });
    cleanup = made.cleanup;
    instance = await createInstance(made.config, { clock, logger: createLogger({ level: made.config.log.level }) });
    await instance.start();
    port = instance.port;
    // PeerTube's actors as fetched during the session (so their captured keys verify the requests)
    const store = createPrismaActorStore(instance.prisma);
    for (const file of ['pt-actor-instance-peertube.json', 'pt-actor-account-root.json']) {
      const doc = JSON.parse(readFileSync(`${DIR}/${file}`, 'utf8')) as { id: string; type: string; preferredUsername: string; name?: string; inbox: string; outbox?: string; followers?: string; following?: string; endpoints: { sharedInbox: string }; publicKey: { id: string; publicKeyPem: string } };
      const saved = await store.saveRemoteActor(
        remoteActorRecord(
          { url: doc.id, type: doc.type, preferredUsername: doc.preferredUsername, name: doc.name ?? null, summary: null, inboxUrl: doc.inbox, sharedInboxUrl: doc.endpoints.sharedInbox, outboxUrl: doc.outbox ?? null, followersUrl: doc.followers ?? null, followingUrl: doc.following ?? null },
          doc.publicKey,
          clock.now(),
        ),
      );
      expect(saved.ok).toBe(true);
    }
    // our video of the session (8 s, uploaded by root)
    const channel = await instance.prisma.videoChannel.findFirstOrThrow({ where: { name: 'root_channel' } });
    await instance.prisma.video.create({
      data: { uuid: VIDEO_UUID, name: 'mirrortube video', url: `http://localhost:19500/videos/watch/${VIDEO_UUID}`, state: 1, privacy: 1, duration: 8, channelId: channel.id, publishedAt: clock.now() },
    });
  }); // the suite's timeout (test/vitest.config.ts) bounds it
  afterAll(async () => {
    await instance?.stop();
    await cleanup?.();
  });

  it('seq 135, 136: a comment and a reply on our video', async () => {
    expect((await replay(135)).state).toBe('processed');
    expect((await replay(136)).state).toBe('processed');
    const threads = await api<{ total: number; totalNotDeletedComments: number; data: { id: number; text: string; url: string; account: { name: string; host: string } }[] }>(`/api/v1/videos/${VIDEO_UUID}/comment-threads`);
    expect(threads).toMatchObject({ total: 1, totalNotDeletedComments: 2, data: [{ text: 'hello', url: `http://localhost:9000/videos/watch/${VIDEO_UUID}/comments/1`, account: { name: 'root', host: 'localhost:9000' } }] });
    const tree = await api<{ children: { comment: { text: string } }[] }>(`/api/v1/videos/${VIDEO_UUID}/comment-threads/${threads.data[0]!.id}`);
    expect(tree.children.map((c) => c.comment.text)).toEqual(['a reply to hello']);
    // we approve PeerTube's replies, as PeerTube does on its videos
    const approvals = await instance.prisma.job.findMany({ where: { kind: 'activitypub-http-unicast' } });
    expect(approvals.map((j) => JSON.stringify(j.payload)).filter((p) => p.includes('approve-reply'))).toHaveLength(2);
  });

  it('seq 137–140: like, dislike, none by one account', async () => {
    await replay(137);
    expect(await video()).toMatchObject({ likes: 1, dislikes: 0 });
    await replay(138);
    await replay(139);
    expect(await video()).toMatchObject({ likes: 0, dislikes: 1 });
    await replay(140);
    expect(await video()).toMatchObject({ likes: 0, dislikes: 0 });
    expect(await instance.prisma.accountVideoRate.count()).toBe(0);
  });

  it('seq 145, 146, 152: two viewer pings (one viewer) and one counted view', async () => {
    await replay(145);
    expect(await video()).toMatchObject({ views: 0, viewers: 1 });
    await replay(146);
    expect(await video()).toMatchObject({ views: 1, viewers: 1 });
    const e = bySeq(152);
    clock.set(new Date(e.time));
    expect(await post(e)).toBe(204);
    // (whether the repeated id is processed again depends on the inbox's dedupe; either way:)
    expect(await video()).toMatchObject({ views: 1, viewers: 1 });
  });

  it('seq 155: the author deletes the reply', async () => {
    expect((await replay(155)).state).toBe('processed');
    const threads = await api<{ total: number; totalNotDeletedComments: number; data: { id: number; totalReplies: number }[] }>(`/api/v1/videos/${VIDEO_UUID}/comment-threads`);
    expect(threads).toMatchObject({ total: 1, totalNotDeletedComments: 1, data: [{ totalReplies: 0 }] });
    const tree = await api<{ children: { comment: { isDeleted: boolean; text: string; account: unknown } }[] }>(`/api/v1/videos/${VIDEO_UUID}/comment-threads/${threads.data[0]!.id}`);
    expect(tree.children.map((c) => c.comment)).toMatchObject([{ isDeleted: true, text: '', account: null }]);
  });
});
