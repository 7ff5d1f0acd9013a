import { createPublicKey } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DELIVERY_JOB, type DeliveryPayload } from '../../../src/federation/delivery/index.js';
import { generateActorKeyPair, signJsonLd, verifyJsonLd } from '../../../src/federation/signatures/index.js';
import {
  ACTOR_URL,
  createActivity,
  createInboxServer,
  openDeliveryTestDatabase,
  startDeliveryRig,
  type DeliveryRig,
  type DeliveryTestDatabase,
  type InboxServer,
  type Responder,
} from './delivery-harness.js';

const T0 = new Date('2026-05-01T10:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe.each(['postgres', 'embedded'] as const)('outbound delivery on %s database', (kind) => {
  let testDb: DeliveryTestDatabase;
  let rig: DeliveryRig;
  const servers: InboxServer[] = [];

  const prisma = () => testDb.db.prisma;
  const inboxServer = async (respond?: Responder, options?: { listen?: boolean }) => {
    const server = await createInboxServer(testDb.db, rig.clock, respond, options);
    servers.push(server);
    return server;
  };
  const host = (name: string) => prisma().remoteServer.findUnique({ where: { host: name } });

  beforeAll(async () => {
    testDb = await openDeliveryTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb?.close();
  });
  beforeEach(async () => {
    await prisma().job.deleteMany();
    await prisma().remoteServer.deleteMany();
    rig = await startDeliveryRig(testDb.db, T0);
  });
  afterEach(async () => {
    await rig.stop();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('delivers an LD-signed activity in a POST whose HTTP signature verifies', async () => {
    const inbox = await inboxServer();
    const report = await rig.delivery.deliver(createActivity('a1'), { signerActorId: testDb.actorId, inboxes: [inbox.url()] });
    expect(report).toMatchObject({ jobIds: [expect.any(Number)], skipped: [] });
    await rig.runDue();

    expect(inbox.received).toHaveLength(1);
    const [post] = inbox.received;
    expect(post!.verification).toMatchObject({ ok: true, owner: ACTOR_URL, keyId: `${ACTOR_URL}#main-key`, signedHeaders: ['(request-target)', 'host', 'date', 'digest'] });
    expect(post!.headers['content-type']).toBe('application/activity+json');
    expect(post!.headers['date']).toBe(T0.toUTCString());
    const activity = JSON.parse(post!.body.toString('utf8')) as Record<string, unknown>;
    expect(activity).toMatchObject({ id: 'https://us.example/activities/a1', type: 'Create', signature: { type: 'RsaSignature2017', creator: ACTOR_URL } });
    expect(await verifyJsonLd(activity, testDb.keys.publicKeyPem)).toMatchObject({ ok: true, creator: ACTOR_URL });

    const [job] = await rig.jobs();
    expect(job).toMatchObject({ state: 'completed', attempts: 1, result: { outcome: 'delivered', status: 202 } });
    expect(await host(inbox.host)).toMatchObject({ consecutiveFailures: 0, pausedUntil: null, lastSuccessAt: T0, blocked: false });
    expect(rig.metrics.outcomes).toEqual(['delivered']);
  });

  it('delivers exactly once to a server that answers 500 and then 202, after the backoff', async () => {
    const inbox = await inboxServer(({ index }) => (index === 0 ? 500 : 202));
    await rig.delivery.deliver(createActivity('a2'), { signerActorId: testDb.actorId, inboxes: [inbox.url()] });
    await rig.runDue();

    expect(inbox.received.map((post) => post.status)).toEqual([500]);
    const [waiting] = await rig.jobs();
    expect(waiting).toMatchObject({ state: 'pending', attempts: 1, runAt: new Date(T0.getTime() + 30 * SECOND) });
    expect(waiting!.lastError).toContain('HTTP 500');
    expect(await rig.delivery.hostHealth()).toEqual([expect.objectContaining({ host: inbox.host, state: 'failing', consecutiveFailures: 1 })]);

    // Not yet due: nothing happens.
    rig.clock.advance(29 * SECOND);
    await rig.runDue();
    expect(inbox.received).toHaveLength(1);

    rig.clock.advance(1 * SECOND);
    await rig.runDue();
    expect(inbox.received.map((post) => post.status)).toEqual([500, 202]);
    expect(inbox.accepted()).toHaveLength(1);
    expect(inbox.received[1]!.body.equals(inbox.received[0]!.body)).toBe(true);
    expect(inbox.received[1]!.verification.ok).toBe(true);
    expect(await rig.jobs()).toEqual([expect.objectContaining({ state: 'completed', attempts: 2 })]);
    expect(await rig.delivery.hostHealth()).toEqual([expect.objectContaining({ state: 'healthy', consecutiveFailures: 0, lastSuccessAt: rig.clock.now() })]);

    // Nothing more is ever sent.
    rig.clock.advance(24 * HOUR);
    await rig.runDue();
    expect(inbox.received).toHaveLength(2);
    expect(rig.metrics.outcomes).toEqual(['retried', 'delivered']);
  });

  it('gets activities to a host that was down for hours, far beyond the retry budget, once it is back', async () => {
    const inbox = await inboxServer(() => 202, { listen: false }); // port closed: connection refused
    for (const id of ['d1', 'd2', 'd3']) {
      await rig.delivery.deliver(createActivity(id), { signerActorId: testDb.actorId, inboxes: [inbox.url()] });
    }
    await rig.runDue();

    let sawPaused = false;
    let longestPause = 0;
    const outageEnds = T0.getTime() + 6 * HOUR;
    while (rig.clock.now().getTime() < outageEnds) {
      const [health] = await rig.delivery.hostHealth();
      if (health?.state === 'paused') {
        sawPaused = true;
        longestPause = Math.max(longestPause, (health.pausedUntil?.getTime() ?? 0) - rig.clock.now().getTime());
      }
      expect(await rig.advanceToNextDue()).toBe(true);
    }
    expect(sawPaused).toBe(true);
    expect(longestPause).toBeLessThanOrEqual(HOUR);
    expect(longestPause).toBeGreaterThan(30 * MINUTE);
    const attemptsDuringOutage = rig.metrics.requests.length;
    // 3 deliveries × 8 attempts would have been given up after about an hour; instead, after the
    // host tripped, one probe per pause (1, 2, 4 … 60 min) kept them waiting, never failing.
    expect(attemptsDuringOutage).toBeLessThan(25);
    expect(rig.metrics.requests.every((status) => status === 'network')).toBe(true);
    expect(await prisma().job.count({ where: { state: 'failed' } })).toBe(0);
    const down = await host(inbox.host);
    expect(down!.consecutiveFailures).toBeGreaterThan(10);
    expect(down!.lastError).toContain('ECONNREFUSED');

    await inbox.listen();
    for (let i = 0; i < 10 && inbox.accepted().length < 3; i++) expect(await rig.advanceToNextDue()).toBe(true);

    expect(inbox.accepted().map((post) => (JSON.parse(post.body.toString()) as { id: string }).id).sort()).toEqual([
      'https://us.example/activities/d1',
      'https://us.example/activities/d2',
      'https://us.example/activities/d3',
    ]);
    expect(inbox.received).toHaveLength(3);
    expect(inbox.received.every((post) => post.verification.ok)).toBe(true);
    expect(await rig.delivery.hostHealth()).toEqual([
      expect.objectContaining({ host: inbox.host, state: 'healthy', consecutiveFailures: 0, pausedUntil: null, lastSuccessAt: expect.any(Date) }),
    ]);
    expect(await prisma().job.count({ where: { kind: DELIVERY_JOB, state: { in: ['pending', 'active', 'failed'] } } })).toBe(0);
    // The deliveries were carried across the pauses by successor jobs, none of which counted its wait.
    const finished = await rig.jobs();
    expect(finished.filter((job) => (job.result as { outcome?: string } | null)?.outcome === 'deferred').length).toBeGreaterThan(3);
    expect(Math.max(...finished.map((job) => (job.payload as unknown as DeliveryPayload).priorAttempts))).toBeLessThan(8);
    expect(rig.metrics.count('delivered')).toBe(3);
    expect(rig.metrics.count('deferred')).toBeGreaterThan(0);
    expect(rig.metrics.count('failed')).toBe(0);
  });

  it('gives a delivery up once it is older than the max age, however long its host is paused', async () => {
    await rig.stop();
    rig = await startDeliveryRig(testDb.db, T0, { maxAgeMs: 2 * HOUR });
    const inbox = await inboxServer(() => 202, { listen: false });
    await rig.delivery.deliver(createActivity('e1'), { signerActorId: testDb.actorId, inboxes: [inbox.url()] });
    await rig.runDue();
    for (let i = 0; i < 100 && (await rig.advanceToNextDue()); i++);
    expect(rig.clock.now().getTime()).toBeLessThanOrEqual(T0.getTime() + 2 * HOUR);
    const jobs = await rig.jobs();
    expect(jobs.filter((job) => job.state === 'failed')).toEqual([expect.objectContaining({ lastError: `expired: not delivered by ${new Date(T0.getTime() + 2 * HOUR).toISOString()}` })]);
    expect(jobs.filter((job) => job.state === 'pending')).toHaveLength(0);
    expect(rig.metrics.count('failed')).toBe(1);
  });

  it('does not retry a 4xx refusal', async () => {
    const inbox = await inboxServer(() => 403);
    await rig.delivery.deliver(createActivity('r1'), { signerActorId: testDb.actorId, inboxes: [inbox.url()] });
    await rig.runDue();

    const [job] = await rig.jobs();
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job!.lastError).toContain('the inbox refused the activity (HTTP 403');
    rig.clock.advance(24 * HOUR);
    await rig.runDue();
    expect(inbox.received).toHaveLength(1);
    // The host answered: it is up, whatever it thinks of this activity.
    expect(await host(inbox.host)).toMatchObject({ consecutiveFailures: 0, pausedUntil: null });
    expect(rig.metrics.outcomes).toEqual(['failed']);
  });

  it('honours Retry-After: the whole host waits, and the delivery goes through afterwards', async () => {
    const inbox = await inboxServer(({ index }) => (index === 0 ? { status: 429, headers: { 'retry-after': '120' } } : 202));
    await rig.delivery.deliver(createActivity('t1'), { signerActorId: testDb.actorId, inboxes: [inbox.url()] });
    await rig.runDue();
    expect(await host(inbox.host)).toMatchObject({ consecutiveFailures: 0, pausedUntil: new Date(T0.getTime() + 120 * SECOND) });

    // Another activity for the same host waits for the pause too, without being attempted.
    await rig.delivery.deliver(createActivity('t2'), { signerActorId: testDb.actorId, inboxes: [inbox.url('/accounts/x/inbox')] });
    await rig.runDue();
    expect(inbox.received).toHaveLength(1);

    // The first retry (after 30 s of backoff) finds the host still paused and waits for its end.
    while (inbox.accepted().length < 2) expect(await rig.advanceToNextDue()).toBe(true);
    expect(inbox.received.map((post) => post.status)).toEqual([429, 202, 202]);
    expect(rig.clock.now().getTime()).toBe(T0.getTime() + 120 * SECOND);
  });

  it('retries after a time-out', async () => {
    await rig.stop();
    rig = await startDeliveryRig(testDb.db, T0, { requestTimeoutMs: 300 });
    const inbox = await inboxServer(({ index }) => (index === 0 ? 'hang' : 202));
    await rig.delivery.deliver(createActivity('h1'), { signerActorId: testDb.actorId, inboxes: [inbox.url()] });
    await rig.runDue();
    const [job] = await rig.jobs();
    expect(job).toMatchObject({ state: 'pending', attempts: 1 });
    expect(job!.lastError).toContain('time-out');
    rig.clock.advance(30 * SECOND);
    await rig.runDue();
    expect(inbox.accepted()).toHaveLength(1);
    expect(rig.metrics.requests).toEqual(['timeout', 202]);
  });

  it('forwards an inbound activity byte for byte, so its original LD signature still verifies', async () => {
    const remote = await generateActorKeyPair();
    const signed = await signJsonLd(
      {
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
        id: 'https://remote.example/activities/announce-1',
        type: 'Announce',
        actor: 'https://remote.example/accounts/bob',
        object: 'https://us.example/videos/watch/v1',
        to: ['https://www.w3.org/ns/activitystreams#Public'],
        summary: 'café 🎬',
      },
      { creator: 'https://remote.example/accounts/bob', privateKeyPem: remote.privateKeyPem, now: T0 },
    );
    // As another server would have written it: its own spacing, key order and escapes.
    const raw = Buffer.from(`${JSON.stringify(signed, null, 3).replace('café', 'caf\\u00e9')}\r\n`, 'utf8');
    const inbox = await inboxServer();
    const report = await rig.delivery.forwardActivity(raw, { signerActorId: testDb.actorId, inboxes: [inbox.url()] });
    expect(report.jobIds).toHaveLength(1);
    await rig.runDue();

    expect(inbox.received).toHaveLength(1);
    const [post] = inbox.received;
    expect(post!.body.equals(raw)).toBe(true);
    // HTTP-signed by us, LD-signed by the original author.
    expect(post!.verification).toMatchObject({ ok: true, owner: ACTOR_URL });
    expect(await verifyJsonLd(JSON.parse(post!.body.toString('utf8')), createPublicKey(remote.publicKeyPem))).toMatchObject({
      ok: true,
      creator: 'https://remote.example/accounts/bob',
    });
    const [job] = await rig.jobs();
    expect(job!.payload).toMatchObject({ forwarded: true, activityId: 'https://remote.example/activities/announce-1', activityType: 'Announce' });
  });

  it('delivers to two inboxes on one host, once each, and sends duplicates once', async () => {
    const inbox = await inboxServer();
    const report = await rig.delivery.deliver(createActivity('m1'), {
      signerActorId: testDb.actorId,
      inboxes: [inbox.url('/accounts/a/inbox'), inbox.url('/accounts/b/inbox'), inbox.url('/accounts/a/inbox'), 'https://us.example/inbox'],
    });
    expect(report.jobIds).toHaveLength(2);
    expect(report.skipped).toEqual([
      { inbox: inbox.url('/accounts/a/inbox'), reason: 'duplicate' },
      { inbox: 'https://us.example/inbox', reason: 'local' },
    ]);
    await rig.runDue();

    expect(inbox.received.map((post) => post.path).sort()).toEqual(['/accounts/a/inbox', '/accounts/b/inbox']);
    expect(inbox.received.every((post) => post.verification.ok)).toBe(true);
    expect(inbox.received[0]!.body.equals(inbox.received[1]!.body)).toBe(true);
    expect(await prisma().remoteServer.count()).toBe(1);
  });

  it('skips blocked hosts when queueing, and drops queued deliveries of a host blocked since', async () => {
    const blocked = await inboxServer();
    const later = await inboxServer();
    await prisma().remoteServer.create({ data: { host: blocked.host, blocked: true } });
    // In a transaction, so the queue does not run the job before the test blocks the second host.
    const report = await prisma().$transaction((tx) =>
      rig.delivery.deliver(createActivity('b1'), { signerActorId: testDb.actorId, inboxes: [blocked.url(), later.url()] }, tx),
    );
    expect(report.skipped).toEqual([{ inbox: blocked.url(), reason: 'host-blocked' }]);
    expect(report.jobIds).toHaveLength(1);

    await prisma().remoteServer.create({ data: { host: later.host, blocked: true } });
    rig.delivery.wake();
    await rig.runDue();
    expect(blocked.received).toHaveLength(0);
    expect(later.received).toHaveLength(0);
    expect(await rig.jobs()).toEqual([expect.objectContaining({ state: 'completed', result: { outcome: 'skipped', reason: 'host-blocked' } })]);
    const unhealthy = await rig.delivery.hostHealth({ unhealthyOnly: true });
    expect(unhealthy.map((h) => [h.host, h.state]).sort()).toEqual(
      [
        [blocked.host, 'blocked'],
        [later.host, 'blocked'],
      ].sort(),
    );
  });

  it('gives up at once when the transport refuses the destination, leaving the host as it was', async () => {
    await rig.stop();
    rig = await startDeliveryRig(testDb.db, T0, {}, { post: async () => ({ ok: false, reason: { type: 'refused', detail: 'blocked-address: 10.0.0.1' } }) });
    await rig.delivery.deliver(createActivity('s1'), { signerActorId: testDb.actorId, inboxes: ['https://internal.example/inbox'] });
    await rig.runDue();
    const [job] = await rig.jobs();
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job!.lastError).toBe('the transport refused the destination: blocked-address: 10.0.0.1');
    expect(await host('internal.example')).toMatchObject({ consecutiveFailures: 0, lastError: null, lastSuccessAt: null });
    expect(rig.metrics.outcomes).toEqual(['failed']);
  });

  it('gives up a forwarded activity whose signer has no private key', async () => {
    const inbox = await inboxServer();
    const keyless = await prisma().actor.create({
      data: { type: 'Person', preferredUsername: 'nokey', host: null, url: 'https://us.example/accounts/nokey', inboxUrl: 'https://us.example/accounts/nokey/inbox' },
    });
    await rig.delivery.forwardActivity('{"type":"Announce"}', { signerActorId: keyless.id, inboxes: [inbox.url()] });
    await rig.runDue();
    expect(inbox.received).toHaveLength(0);
    expect((await rig.jobs())[0]).toMatchObject({ state: 'failed', lastError: `cannot sign: signer-without-key (actor ${keyless.id})` });
    await prisma().actor.delete({ where: { id: keyless.id } });
  });

  it("queues inside the caller's transaction: nothing is sent when it rolls back", async () => {
    const inbox = await inboxServer();
    await expect(
      prisma().$transaction(async (tx) => {
        await rig.delivery.deliver(createActivity('x1'), { signerActorId: testDb.actorId, inboxes: [inbox.url()] }, tx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await rig.jobs()).toHaveLength(0);

    await prisma().$transaction(async (tx) => {
      await rig.delivery.deliver(createActivity('x2'), { signerActorId: testDb.actorId, inboxes: [inbox.url()] }, tx);
    });
    rig.delivery.wake();
    await rig.runDue();
    expect(inbox.accepted().map((post) => (JSON.parse(post.body.toString()) as { id: string }).id)).toEqual(['https://us.example/activities/x2']);
  });
});
