import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeRegistry, createNodeStore, createTickGate, createTickLeaseStore } from '../../../src/cluster/index.js';
import { createPrismaActorStore } from '../../../src/accounts/actor-store.js';
import { createJobStore, createScheduler } from '../../../src/jobs/index.js';
import { createManualClock, createOffsetClock } from '../../../src/lib/clock.js';
import { childInstanceEnv, startChildInstance, type ChildInstance } from '../../support/child-instance.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { ROOT_PASSWORD, startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { freePort, waitFor } from '../../support/ports.js';
import { startCountingInbox } from './cluster-support.js';

// Issue 15, "several nodes, one database": two `mirrortube serve` nodes on one real PostgreSQL, each
// with its own storage folder. Node A runs in this process (its clock can be moved), node B is the
// real command in a child process (so it can be SIGKILLed). Both answer for one public address.
const LEASE = 3000;
const DELIVERY_CONCURRENCY = 4;

describe('two nodes on one PostgreSQL', () => {
  let db: TestDatabase;
  let a: TestInstance;
  let b: ChildInstance;
  let bUrl = '';
  let storageB = '';
  const clock = createOffsetClock();
  let inbox: Awaited<ReturnType<typeof startCountingInbox>>;
  let signerActorId = 0;
  let pendingOnB: { location: string; bytes: Buffer } | undefined;

  const deliver = async (id: string) => {
    await a.instance.federation.delivery.forwardActivity(JSON.stringify({ id, type: 'Note' }), { signerActorId, inboxes: [inbox.url] });
  };
  const deliveryJobs = () => a.instance.prisma.job.findMany({ where: { kind: 'activitypub-http-unicast' } });
  const onB = (path: string, init: RequestInit = {}) =>
    fetch(`${bUrl}${path}`, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers)), authorization: `Bearer ${a.rootToken}` } });

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    inbox = await startCountingInbox();
    a = await startTestInstance({
      db: 'embedded', // (no database of its own: database.url below is the shared one)
      clock,
      overrides: {
        database: { url: db.url },
        node: { name: 'node-a', lease_duration: `${LEASE}ms` },
        jobs: { lease_duration: `${LEASE}ms` },
        federation: { delivery: { concurrency: DELIVERY_CONCURRENCY, timeout: '90 seconds' } },
        // transcodes read the upload from the disk of the node that received it: with two storage
        // folders (no object storage) they would fail on the other node
        transcoding: { enabled: false },
      },
    });
    signerActorId = (await createPrismaActorStore(a.instance.prisma).findInstanceActor())!.id;
    storageB = await mkdtemp(join(tmpdir(), 'mt-node-b-'));
    const portB = await freePort();
    bUrl = `http://127.0.0.1:${portB}`;
    b = await startChildInstance(
      {
        ...childInstanceEnv({ storage: storageB, port: portB, password: ROOT_PASSWORD }),
        // one public address for both nodes (nginx in front, in production)
        MIRRORTUBE_WEBSERVER__PORT: String(a.instance.port),
        MIRRORTUBE_DATABASE__URL: db.url!,
        MIRRORTUBE_NODE__NAME: 'node-b',
        MIRRORTUBE_NODE__LEASE_DURATION: `${LEASE}ms`,
        MIRRORTUBE_JOBS__LEASE_DURATION: `${LEASE}ms`,
        MIRRORTUBE_FEDERATION__ALLOW_PRIVATE_ADDRESSES: 'true',
        MIRRORTUBE_FEDERATION__DELIVERY__CONCURRENCY: String(DELIVERY_CONCURRENCY),
        MIRRORTUBE_FEDERATION__DELIVERY__TIMEOUT: '90 seconds',
        MIRRORTUBE_TRANSCODING__ENABLED: 'false',
      },
      portB,
    );
  }, 240_000);

  afterAll(async () => {
    if (b && b.child.exitCode === null && b.child.signalCode === null) {
      b.child.kill('SIGKILL');
      await b.exited;
    }
    await a?.stop();
    await inbox?.close();
    await db?.drop();
    if (storageB) await rm(storageB, { recursive: true, force: true });
  });

  it('each node registers itself: the admin list shows both online; a second node cannot take a live name', async () => {
    const list = await a.json<{ total: number; data: { name: string; state: string; self: boolean; url: string; version: string }[] }>('/api/v1/server/nodes');
    expect(list.total).toBe(2);
    expect(list.data.map((n) => [n.name, n.state, n.self])).toEqual([
      ['node-a', 'online', true],
      ['node-b', 'online', false],
    ]);
    expect(list.data[1]!.url).toBe(bUrl);
    expect((await a.api('/api/v1/server/nodes', { token: null })).status).toBe(401);
    // every series of a node's /metrics carries its name
    const metrics = await (await fetch(`${bUrl}/metrics`)).text();
    expect(metrics).toMatch(/^mirrortube_build_info\{[^}]*node="node-b"[^}]*\} 1$/m);
    // the same name as a running node is refused at start-up, with the reason
    const twin = createNodeRegistry({
      store: createNodeStore(a.instance.prisma),
      clock,
      logger: pino({ level: 'silent' }),
      leaseMs: LEASE,
      self: { id: 'worker-twin', name: 'node-b', url: 'http://127.0.0.1:1', version: '0' },
    });
    await expect(twin.start()).rejects.toThrow(/node\.name "node-b" is already used by a running node/);
    // and a node whose storage.root (hence worker id) is a running node's
    const nodeB = list.data[1] as unknown as { id: string };
    const sharer = createNodeRegistry({
      store: createNodeStore(a.instance.prisma),
      clock,
      logger: pino({ level: 'silent' }),
      leaseMs: LEASE,
      self: { id: nodeB.id, name: 'node-c', url: 'http://127.0.0.1:1', version: '0' },
    });
    await expect(sharer.start()).rejects.toThrow(/the running node "node-b" .* uses the same storage\.root/);
  });

  it('50 jobs are each run exactly once across both nodes, both working at once', async () => {
    // more requests open at once than one node's delivery concurrency: both nodes hold jobs
    inbox.hold((id) => id.startsWith('urn:fifty:'));
    for (let i = 0; i < 50; i++) await deliver(`urn:fifty:${i}`);
    await waitFor('both nodes to hold deliveries at once', async () => (inbox.open > DELIVERY_CONCURRENCY ? true : undefined), 60_000, 20);
    inbox.hold(null);
    inbox.release();
    await waitFor('the 50 deliveries to complete', async () => ((await deliveryJobs()).filter((j) => j.state === 'completed').length === 50 ? true : undefined), 90_000, 100);
    const ids = [...inbox.received.entries()].filter(([id]) => id.startsWith('urn:fifty:'));
    expect(ids).toHaveLength(50);
    expect(ids.filter(([, count]) => count !== 1)).toEqual([]);
    expect(inbox.maxOpen).toBeGreaterThan(DELIVERY_CONCURRENCY);
    expect((await deliveryJobs()).every((j) => j.attempts === 1)).toBe(true);
  });

  it('a resumable upload whose chunks alternate between the nodes completes, whichever node it began on', async () => {
    const bytes = readFileSync(await generatedClip({ seconds: 2, width: 160, height: 120 }));
    const chunk = Math.ceil(bytes.length / 5);
    for (const [first, second] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      const on = (node: 'a' | 'b', path: string, init: RequestInit = {}) => (node === 'a' ? a.api(path, init) : onB(path, init));
      const init = await on(first, '/api/v1/videos/upload-resumable', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-upload-content-length': String(bytes.length), 'x-upload-content-type': 'video/mp4' },
        body: JSON.stringify({ name: `begun on ${first}`, channelId: 1, filename: 'clip.mp4' }),
      });
      expect(init.status).toBe(201);
      const location = init.headers.get('location')!;
      let last: Response | undefined;
      for (let start = 0, n = 0; start < bytes.length; start += chunk, n++) {
        const end = Math.min(start + chunk, bytes.length) - 1;
        last = await on(n % 2 === 0 ? second : first, location, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${bytes.length}` },
          body: bytes.subarray(start, end + 1),
        });
        if (end < bytes.length - 1) {
          expect(last.status, await last.clone().text()).toBe(308);
          expect(last.headers.get('range')).toBe(`bytes=0-${end}`);
        }
        // either node tells how much arrived (the session row is shared)
        const status = await on(n % 2 === 0 ? first : second, location, { method: 'PUT', headers: { 'content-range': `bytes */${bytes.length}` } });
        if (end < bytes.length - 1) expect(status.headers.get('range')).toBe(`bytes=0-${end}`);
      }
      expect(last!.status).toBe(200);
      const { video } = (await last!.json()) as { video: { uuid: string } };
      const seen = await (await onB(`/api/v1/videos/${video.uuid}`)).json();
      expect(seen).toMatchObject({ uuid: video.uuid, name: `begun on ${first}` });
    }
    // one more begun on B, left half-way (the kill test below sends its next chunk to A)
    const init = await onB('/api/v1/videos/upload-resumable', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upload-content-length': String(bytes.length) },
      body: JSON.stringify({ name: 'left on b', channelId: 1, filename: 'clip.mp4' }),
    });
    pendingOnB = { location: init.headers.get('location')!, bytes };
    const half = await a.api(pendingOnB.location, { method: 'PUT', headers: { 'content-range': `bytes 0-${chunk - 1}/${bytes.length}` }, body: bytes.subarray(0, chunk) });
    expect(half.status).toBe(308);
  });

  it('a cluster tick runs once per interval whichever nodes fire it; another node takes it over once its holder is gone', async () => {
    const store = createTickLeaseStore(a.instance.prisma);
    const at = createManualClock(new Date('2030-01-01T00:00:00Z'));
    const logger = pino({ level: 'silent' });
    const INTERVAL = 60_000;
    const TICK_LEASE = 10_000;
    const ran: string[] = [];
    const nodes = ['tick-1', 'tick-2'].map((holder) => {
      const scheduler = createScheduler({ clock: at, logger, gate: createTickGate({ store, holder, leaseMs: TICK_LEASE }) });
      scheduler.every('test-plan', INTERVAL, () => void ran.push(holder));
      return scheduler;
    });
    const fire = (i: number) => nodes[i]!.runScheduled('test-plan');
    const fireBoth = () => Promise.all([fire(0), fire(1)]);
    // each node's timer fires once per interval: first in the same instant, then out of phase
    for (let interval = 0; interval < 3; interval++) {
      await fireBoth();
      at.advance(INTERVAL);
    }
    for (let interval = 0; interval < 2; interval++) {
      await fire(0);
      at.advance(INTERVAL / 2);
      await fire(1);
      at.advance(INTERVAL / 2);
    }
    expect(ran).toHaveLength(5);
    const holder = ran[0]!;
    expect(new Set(ran)).toEqual(new Set([holder]));
    // the holder stops firing (died): the other node runs the tick once it is overdue by the lease
    const other = nodes[holder === 'tick-1' ? 1 : 0]!;
    expect((await other.runScheduled('test-plan')).status).toBe('skipped');
    const { dueAt } = (await store.list()).find((t) => t.name === 'test-plan')!;
    at.set(new Date(dueAt.getTime() + TICK_LEASE - 1));
    expect((await other.runScheduled('test-plan')).status).toBe('skipped');
    at.advance(1);
    expect((await other.runScheduled('test-plan')).status).toBe('completed');
    expect(ran.at(-1)).not.toBe(holder);
    at.advance(INTERVAL);
    await fireBoth();
    expect(ran).toHaveLength(7);
    expect(ran.at(-1)).not.toBe(holder);
    await Promise.all(nodes.map((s) => s.stop()));
    const row = (await store.list()).find((t) => t.name === 'test-plan')!;
    expect(row.runs).toBe(7);
  });

  it('a node that lost its job lease cannot settle the job; the node holding it now can', async () => {
    const at = createManualClock(new Date('2030-06-01T00:00:00Z'));
    const one = createJobStore(a.instance.prisma, 'fence-1');
    const two = createJobStore(a.instance.prisma, 'fence-2');
    await one.insert({ kind: 'cluster-fence', payload: {}, runAt: at.now(), priority: 0, maxAttempts: 5, dedupeKey: undefined, createdAt: at.now() });
    const first = (await one.claim('cluster-fence', at.now(), 1000))!;
    expect(await two.claim('cluster-fence', at.now(), 1000)).toBeNull();
    at.advance(1001);
    const second = (await two.claim('cluster-fence', at.now(), 1000))!;
    expect(second.id).toBe(first.id);
    expect(second.attempts).toBe(2);
    const lease = (j: { id: number; attempts: number }) => ({ id: j.id, attempts: j.attempts });
    expect(await one.extendLease(lease(first), new Date(at.now().getTime() + 1000), at.now(), 50)).toBe(false);
    expect(await one.complete(lease(first), { by: 'one' }, at.now())).toBe(false);
    expect(await one.fail(lease(first), 'late', at.now())).toBe(false);
    expect(await two.complete(lease(second), { by: 'two' }, at.now())).toBe(true);
    const row = await a.instance.prisma.job.findUniqueOrThrow({ where: { id: first.id } });
    expect(row).toMatchObject({ state: 'completed', result: { by: 'two' }, lockedBy: null });
  });

  it('a node killed (kill -9) in the middle of a job: the other node takes the job over once its lease expires', async () => {
    // only node B claims while A is paused; B's request is held open, then B dies
    a.instance.jobs.pause();
    inbox.hold((id) => id === 'urn:slow' && (inbox.received.get('urn:slow') ?? 0) === 1);
    await deliver('urn:slow');
    await waitFor('node B to run the job', async () => ((inbox.received.get('urn:slow') ?? 0) === 1 ? true : undefined), 60_000, 20);
    const [job] = (await deliveryJobs()).filter((j) => j.state === 'active');
    expect(job).toMatchObject({ state: 'active', attempts: 1 });
    const bWorker = job!.lockedBy;
    b.child.kill('SIGKILL');
    await b.exited;

    a.instance.jobs.resume();
    // before the lease runs out, A leaves the job alone
    a.instance.jobs.wake();
    expect((await a.instance.prisma.job.findUniqueOrThrow({ where: { id: job!.id } })).lockedBy).toBe(bWorker);
    // time passes on A's clock: B's lease (and its heartbeat) expire
    clock.advance(LEASE + 1000);
    a.instance.jobs.wake();
    await waitFor('node A to take the job over and complete it', async () => {
      const row = await a.instance.prisma.job.findUniqueOrThrow({ where: { id: job!.id } });
      return row.state === 'completed' ? row : undefined;
    }, 60_000, 50);
    const row = await a.instance.prisma.job.findUniqueOrThrow({ where: { id: job!.id } });
    expect(row.attempts).toBe(2);
    expect(inbox.received.get('urn:slow')).toBe(2);
    const nodes = await a.json<{ data: { name: string; state: string }[] }>('/api/v1/server/nodes');
    expect(nodes.data.map((n) => [n.name, n.state])).toEqual([
      ['node-a', 'online'],
      ['node-b', 'offline'],
    ]);
    // an upload whose file was on B: A tells how much arrived, and refuses its next chunk with a clear 503
    const { location, bytes } = pendingOnB!;
    const size = bytes.length;
    const chunk = Math.ceil(size / 5);
    const status = await a.api(location, { method: 'PUT', headers: { 'content-range': `bytes */${size}` } });
    expect([status.status, status.headers.get('range')]).toEqual([308, `bytes=0-${chunk - 1}`]);
    const next = await a.api(location, { method: 'PUT', headers: { 'content-range': `bytes ${chunk}-${size - 1}/${size}` }, body: bytes.subarray(chunk) });
    expect(next.status).toBe(503);
    expect(((await next.json()) as { detail?: string; title?: string; error?: string }).detail ?? '').toMatch(/node holding this upload \(worker-[0-9a-f]+\) is not running/);
  });
});
