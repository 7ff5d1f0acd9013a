import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/federation/signatures/index.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

interface Answer {
  status: number;
  connection: string | undefined;
  reusedSocket: boolean;
}

function send(agent: Agent, url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: init.method, headers: init.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * Issue 9, item 10: PeerTube delivers over pooled keep-alive sockets it reuses long after their
 * last use. A socket left idle for 25 s (real time: it is the server's own socket timer, not our
 * clock) still carries a delivery, and inbox answers close their socket.
 */
describe('idle keep-alive connections', () => {
  let receiver: TestInstance;
  let sender: TestInstance;
  beforeAll(async () => {
    [receiver, sender] = await Promise.all([startTestInstance({ db: 'embedded' }), startTestInstance({ db: 'embedded' })]);
  });
  afterAll(async () => {
    await Promise.all([receiver, sender].filter(Boolean).map((i) => i.stop()));
  });

  it('a delivery on a socket idle for 25 s succeeds; the inbox answer closes the socket', { timeout: 180_000 }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const actor = await send(agent, `${receiver.url}/accounts/peertube`, { method: 'GET', headers: { accept: 'application/activity+json' } });
      expect(actor).toMatchObject({ status: 200, reusedSocket: false });
      expect(actor.connection).not.toBe('close');

      await sleep(25_000);

      const key = await sender.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'peertube', host: null } });
      const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${key.url}/follows/idle-1`, type: 'Follow', actor: key.url, object: `${receiver.url}/accounts/peertube` };
      const body = JSON.stringify(follow);
      const url = `${receiver.url}/accounts/peertube/inbox`;
      const signed = signRequest({ method: 'POST', url, body, keyId: key.keyId!, privateKeyPem: key.privateKeyPem!, now: new Date() });
      const headers = { 'content-type': 'application/activity+json', date: signed.Date, digest: signed.Digest!, signature: signed.Signature };
      const delivered = await send(agent, url, { method: 'POST', headers, body });
      expect(delivered).toEqual({ status: 204, connection: 'close', reusedSocket: true });
      expect(await receiver.instance.prisma.inboxActivity.count({ where: { activityId: follow.id } })).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});
