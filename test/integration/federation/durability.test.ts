import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_JOB } from '../../../src/federation/delivery/index.js';
import { signRequest } from '../../../src/federation/signatures/index.js';
import { childInstanceEnv, startChildInstance } from '../../support/child-instance.js';
import { createTestDatabase } from '../../support/database.js';
import { generatedClip } from '../../support/media.js';
import { freePort, waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

const PASSWORD = 'durability-password';

/**
 * B runs as a child process (so it can be killed) on a fixed port and storage; A runs in this process.
 * 1. B answers 2xx to an activity and is SIGKILLed before processing it: after restart it processes
 *    it exactly once. 2. B is down while A publishes: A's delivery reaches B once B is back.
 */
describe('federation durability', () => {
  let a: TestInstance;
  let storage: string;
  let port: number;
  let env: Record<string, string>;
  const base = () => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    a = await startTestInstance({ db: 'embedded', overrides: { federation: { delivery: { retry_delay: '300ms', max_retry_delay: '1 second', pause: '500ms', max_pause: '2 seconds' } } } });
    storage = await mkdtemp(join(tmpdir(), 'mt-durable-'));
    await createTestDatabase('embedded', { storage }); // the migrated embedded database, copied from the template
    port = await freePort();
    env = {
      ...childInstanceEnv({ storage, port, password: PASSWORD }),
      MIRRORTUBE_JOBS__SHUTDOWN_DEADLINE: '2 seconds',
      MIRRORTUBE_FEDERATION__ALLOW_PRIVATE_ADDRESSES: 'true',
    };
  });
  afterAll(async () => {
    await a?.stop();
    await rm(storage, { recursive: true, force: true });
  });

  async function rootToken(): Promise<string> {
    const client = (await (await fetch(`${base()}/api/v1/oauth-clients/local`)).json()) as Record<string, string>;
    const res = await fetch(`${base()}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password: PASSWORD }) });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('an activity acknowledged just before a SIGKILL is processed exactly once after restart', async () => {
    // This first run stores inbound activities but processes none, so the kill surely comes first.
    const first = await startChildInstance({ ...env, MIRRORTUBE_FEDERATION__INBOX_WORKERS: '0' }, port);
    const actor = await a.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'peertube', host: null } });
    const follow = JSON.stringify({
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
      id: `${actor.url}/follows/durability-1`,
      type: 'Follow',
      actor: actor.url,
      object: `${base()}/accounts/peertube`,
    });
    const send = () => {
      const h = signRequest({ method: 'POST', url: `${base()}/inbox`, body: follow, keyId: actor.keyId!, privateKeyPem: actor.privateKeyPem!, now: new Date() });
      return fetch(`${base()}/inbox`, { method: 'POST', body: follow, headers: { 'content-type': 'application/activity+json', date: h.Date, digest: h.Digest!, signature: h.Signature } });
    };
    expect((await send()).status).toBe(204);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startChildInstance(env, port);
    try {
      await waitFor('B to accept A as follower', async () => {
        const list = (await (await fetch(`${base()}/api/v1/server/followers`)).json()) as { data: { follower: { url: string }; state: string }[] };
        return list.data.some((f) => f.follower.url === actor.url && f.state === 'accepted') ? true : undefined;
      }, 30_000);
      // A repeat is acknowledged and ignored.
      expect((await send()).status).toBe(204);
      // Exactly one Accept reached A.
      await waitFor('the Accept on A', async () => ((await a.instance.prisma.inboxActivity.count({ where: { type: 'Accept' } })) === 1 ? true : undefined), 30_000);
      const followers = (await (await fetch(`${base()}/api/v1/server/followers`)).json()) as { total: number };
      expect(followers.total).toBe(1);
      expect(await a.instance.prisma.inboxActivity.count({ where: { type: 'Accept' } })).toBe(1);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('a host that was down receives what was sent to it once it is back', async () => {
    let b = await startChildInstance(env, port);
    const token = await rootToken();
    const res = await fetch(`${base()}/api/v1/server/following`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ hosts: [`127.0.0.1:${a.instance.port}`] }),
    });
    expect(res.status).toBe(204);
    await waitFor('A to list B as an accepted follower', async () => {
      const list = await a.json<{ data: { follower: { host: string }; state: string }[] }>('/api/v1/server/followers');
      return list.data.some((f) => f.follower.host === `127.0.0.1:${port}` && f.state === 'accepted') ? true : undefined;
    }, 30_000);

    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const clip = await generatedClip();
    const up = await a.uploadMultipart(clip, { name: 'sent while B was down', channelId: '1' });
    const { video } = (await up.json()) as { video: { uuid: string } };
    await a.waitForPublished(video.uuid);
    // A tried and failed while B was down.
    await waitFor('a failed delivery attempt to B', async () => {
      const jobs = await a.instance.prisma.job.findMany({ where: { kind: DELIVERY_JOB, lastError: { not: null } } });
      return jobs.some((j) => JSON.stringify(j.payload).includes(`127.0.0.1:${port}`)) ? true : undefined;
    }, 30_000);

    b = await startChildInstance(env, port);
    try {
      const copy = await waitFor('the video on B after it came back', async () => {
        const r = await fetch(`${base()}/api/v1/videos/${video.uuid}`);
        return r.ok ? ((await r.json()) as { name: string; isLocal: boolean }) : undefined;
      }, 60_000);
      expect(copy).toMatchObject({ name: 'sent while B was down', isLocal: false });
    } finally {
      b.child.kill('SIGTERM');
      await b.exited;
    }
  });
});
