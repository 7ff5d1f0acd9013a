import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_JOB } from '../../../src/federation/delivery/index.js';
import { INBOX_JOB } from '../../../src/federation/inbox/process-activity.js';
import { signJsonLd, signRequest } from '../../../src/federation/signatures/index.js';
import { likeToSign, likeTricks, undoLikeToSign, undoTrick } from '../../support/ld-tricks.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { createCapturedLocalVideo } from '../../support/peertube-replay.js';
import { waitFor } from '../../support/ports.js';

/**
 * Issue 9, items 1, 11, 12 and 13 against a real receiver: a sender instance (its actors and keys
 * served over HTTP, as a remote's are) posts signed activities; each case asserts the answer and
 * what was stored or changed.
 */
describe('inbox: follow answers, signed meaning, unstorable text, untrusted names', () => {
  let receiver: TestInstance;
  let sender: TestInstance;
  type Key = { url: string; keyId: string; privateKeyPem: string };
  let senderInstance: Key;
  let senderRoot: Key;
  let counter = 0;

  beforeAll(async () => {
    [receiver, sender] = await Promise.all([startTestInstance({ db: 'embedded' }), startTestInstance({ db: 'embedded' })]);
    const load = async (name: string) => {
      const a = await sender.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: name, host: null } });
      return { url: a.url, keyId: a.keyId!, privateKeyPem: a.privateKeyPem! };
    };
    [senderInstance, senderRoot] = await Promise.all([load('peertube'), load('root')]);
  });
  afterAll(async () => {
    await Promise.all([receiver, sender].filter(Boolean).map((i) => i.stop()));
  });

  const prisma = () => receiver.instance.prisma;

  async function post(activity: object | string, key: Key = senderInstance, path = '/inbox'): Promise<Response> {
    const url = `${receiver.url}${path}`;
    const body = typeof activity === 'string' ? activity : JSON.stringify(activity);
    const signed = signRequest({ method: 'POST', url, body, keyId: key.keyId, privateKeyPem: key.privateKeyPem, now: new Date() });
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/activity+json', date: signed.Date, digest: signed.Digest!, signature: signed.Signature }, body });
  }

  /** The stored row of an activity once processed, with its job's attempts. */
  async function processed(activityId: string) {
    const row = await waitFor(`${activityId} processed`, async () => {
      const r = await prisma().inboxActivity.findFirst({ where: { activityId } });
      return r && r.state !== 'pending' ? r : undefined;
    });
    const job = await prisma().job.findFirst({ where: { kind: INBOX_JOB, payload: { path: ['inboxActivityId'], equals: row.id } } });
    return { state: row.state, error: row.error, attempts: job?.attempts, jobState: job?.state };
  }

  const deliveries = async (type: string) =>
    (await prisma().job.findMany({ where: { kind: DELIVERY_JOB }, orderBy: { id: 'asc' } }))
      .map((j) => j.payload as { inbox: string; activityId: string; activityType: string })
      .filter((p) => p.activityType === type);

  describe('item 1: Accept goes to the follower actor inbox', () => {
    it('answers an instance follow at the follower instance actor inbox, and a new Follow for the same pair with a new Accept id', async () => {
      const follow = (n: number) => ({
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
        id: `${senderInstance.url}/follows/replay-${n}`,
        type: 'Follow',
        actor: senderInstance.url,
        object: `${receiver.url}/accounts/peertube`,
      });
      expect((await post(follow(1))).status).toBe(204);
      await processed(follow(1).id);
      // a second Follow with a new id while our row still exists (its Undo was lost)
      expect((await post(follow(2))).status).toBe(204);
      await processed(follow(2).id);
      const accepts = await waitFor('two Accepts', async () => {
        const list = await deliveries('Accept');
        return list.length === 2 ? list : undefined;
      });
      expect(accepts.map((a) => a.inbox)).toEqual([`${sender.url}/accounts/peertube/inbox`, `${sender.url}/accounts/peertube/inbox`]);
      expect(new Set(accepts.map((a) => a.activityId)).size).toBe(2);
    });

    it("answers a channel subscription (Follow of a Group) at the subscriber account's inbox", async () => {
      const subscribe = {
        '@context': ['https://www.w3.org/ns/activitystreams'],
        id: `${senderRoot.url}/follows/channel-1`,
        type: 'Follow',
        actor: senderRoot.url,
        object: `${receiver.url}/video-channels/root_channel`,
      };
      expect((await post(subscribe, senderRoot)).status).toBe(204);
      expect(await processed(subscribe.id)).toMatchObject({ state: 'processed' });
      const accepts = await waitFor('the Accept', async () => {
        const list = await deliveries('Accept');
        return list.length === 3 ? list : undefined;
      });
      expect(accepts[2]?.inbox).toBe(`${sender.url}/accounts/root/inbox`);
      const row = await prisma().actorFollow.findFirst({ where: { follower: { url: senderRoot.url }, following: { url: `${receiver.url}/video-channels/root_channel` } } });
      expect(row?.state).toBe('accepted');
    });
  });

  describe('item 11: an LD-signed activity forwarded with a rewritten context', () => {
    let liked: { id: number; url: string };
    let other: { id: number; url: string };
    const counts = async () => {
      const rows = await prisma().video.findMany({ where: { id: { in: [liked.id, other.id] } }, orderBy: { id: 'asc' }, select: { likes: true, dislikes: true } });
      return rows;
    };

    beforeAll(async () => {
      liked = await createCapturedLocalVideo(receiver, '11111111-1111-4111-8111-111111111111');
      other = await createCapturedLocalVideo(receiver, '22222222-2222-4222-8222-222222222222');
    });

    it('refuses each trick (403, nothing stored, no count changed); the untouched activity is accepted', async () => {
      const like = likeToSign({ id: `${senderRoot.url}/likes/ld-1`, actor: senderRoot.url, liked: liked.url, other: other.url });
      const signed = await signJsonLd(like, { creator: senderRoot.url, privateKeyPem: senderRoot.privateKeyPem, now: new Date() });
      const stored = await prisma().inboxActivity.count();
      for (const trick of likeTricks(signed)) {
        // delivered by the sender's instance actor: accepted only on root's LD signature
        const res = await post(trick.doc, senderInstance);
        const text = await res.text();
        expect(res.status, `${trick.name}: ${text}`).toBe(403);
        expect(text, trick.name).toMatch(/ld-context-not-allowed/);
      }
      expect(await prisma().inboxActivity.count()).toBe(stored);
      expect(await counts()).toEqual([
        { likes: 0, dislikes: 0 },
        { likes: 0, dislikes: 0 },
      ]);

      // the control: the forwarded Like as signed, with an unsigned term added on the way
      expect((await post({ ...signed, sneaked: 'not covered by the signature' }, senderInstance)).status).toBe(204);
      expect(await processed(like.id as string)).toMatchObject({ state: 'processed' });
      expect(await counts()).toEqual([
        { likes: 1, dislikes: 0 },
        { likes: 0, dislikes: 0 },
      ]);
      const row = await prisma().inboxActivity.findFirstOrThrow({ where: { activityId: like.id as string } });
      expect(row.payload).not.toHaveProperty('sneaked');

      const undo = await signJsonLd(undoLikeToSign({ id: `${senderRoot.url}/likes/ld-1/undo`, actor: senderRoot.url, like }), {
        creator: senderRoot.url,
        privateKeyPem: senderRoot.privateKeyPem,
        now: new Date(),
      });
      const nested = undoTrick(undo);
      const res = await post(nested.doc, senderInstance);
      expect(res.status, nested.name).toBe(403);
      expect(await counts()).toEqual([
        { likes: 1, dislikes: 0 },
        { likes: 0, dislikes: 0 },
      ]);
      expect((await post(undo, senderInstance)).status).toBe(204);
      await processed(undo.id as string);
      expect((await counts())[0]).toEqual({ likes: 0, dislikes: 0 });
    });
  });

  describe('item 12: strings PostgreSQL cannot store', () => {
    it('refuses U+0000 and lone surrogates with 400 and stores the valid activities sent at the same time', async () => {
      const stored = await prisma().inboxActivity.count();
      const flag = (n: number, summary: string) =>
        `{"@context":"https://www.w3.org/ns/activitystreams","id":"${senderInstance.url}/flags/text-${n}","type":"Flag","actor":"${senderInstance.url}","object":"${receiver.url}/accounts/root","summary":"${summary}"}`;
      const bad = [flag(1, 'nul \\u0000 here'), flag(2, 'lone \\ud800 surrogate'), flag(3, 'lone \\udfff low')];
      const good = [4, 5, 6, 7].map((n) => flag(n, 'fine \\ud83d\\ude00'));
      const answers = await Promise.all([...bad, ...good].map((body) => post(body)));
      const statuses = answers.map((a) => a.status);
      expect(statuses).toEqual([400, 400, 400, 204, 204, 204, 204]);
      expect(await answers[0]!.text()).toMatch(/U\+0000/);
      expect(await answers[1]!.text()).toMatch(/lone UTF-16 surrogate/);
      expect(await prisma().inboxActivity.count()).toBe(stored + 4);
    });
  });

  describe('item 13: untrusted names and invalid URLs', () => {
    it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('activity type %s is an unknown type, skipped once', async (type) => {
      const activity = `{"@context":"https://www.w3.org/ns/activitystreams","id":"${senderInstance.url}/odd/${type}-${++counter}","type":"${type}","actor":"${senderInstance.url}","object":"${receiver.url}/accounts/root"}`;
      expect((await post(activity)).status).toBe(204);
      const id = (JSON.parse(activity) as { id: string }).id;
      expect(await processed(id)).toEqual({ state: 'skipped', error: `type ${type} is not handled`, attempts: 1, jobState: 'completed' });
    });

    it.each(['constructor', '__proto__', 'toString'])('object type %s in Create, Update and Undo is skipped once', async (type) => {
      for (const verb of ['Create', 'Update', 'Undo']) {
        const activity = `{"@context":"https://www.w3.org/ns/activitystreams","id":"${senderInstance.url}/odd/${verb}-${type}-${++counter}","type":"${verb}","actor":"${senderInstance.url}","object":{"type":"${type}","object":{"type":"${type}"}}}`;
        expect((await post(activity)).status).toBe(204);
        const id = (JSON.parse(activity) as { id: string }).id;
        const outcome = await processed(id);
        expect(outcome, `${verb} of ${type}`).toMatchObject({ state: 'skipped', attempts: 1, jobState: 'completed' });
        expect(outcome.error, `${verb} of ${type}`).toMatch(/is not handled/);
      }
    });

    it('an invalid URL inside an activity is skipped once, not retried; at the door, id and actor must be URLs', async () => {
      const announce = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${senderInstance.url}/announces/bad-url`, type: 'Announce', actor: senderInstance.url, object: 'not a url' };
      expect((await post(announce)).status).toBe(204);
      expect(await processed(announce.id)).toEqual({ state: 'skipped', error: 'invalid URL "not a url"', attempts: 1, jobState: 'completed' });
      const stored = await prisma().inboxActivity.count();
      const res = await post({ ...announce, id: 'urn:not-http' });
      expect(res.status).toBe(400);
      expect(await prisma().inboxActivity.count()).toBe(stored);
    });
  });
});
