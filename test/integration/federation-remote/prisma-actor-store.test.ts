import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/index.js';
import { createPrismaActorStore, createPublicKeyResolver, createSafeFetcher, type RemoteActorRecord } from '../../../src/federation/remote/index.js';
import { generateActorKeyPair, type ActorKeyPair } from '../../../src/federation/signatures/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createTestDatabase, type TestDatabaseKind } from '../../support/database.js';
import { sendJson, startServer } from './local-servers.js';

const LOCAL = 'https://us.example/accounts/root';

function remoteRecord(url: string, overrides: Partial<RemoteActorRecord> = {}): RemoteActorRecord {
  const { host } = new URL(url);
  return {
    url,
    type: 'Person',
    preferredUsername: url.split('/').pop() ?? 'x',
    host,
    name: 'Name',
    summary: 'Summary',
    inboxUrl: `${url}/inbox`,
    sharedInboxUrl: `https://${host}/inbox`,
    outboxUrl: `${url}/outbox`,
    followersUrl: `${url}/followers`,
    followingUrl: `${url}/following`,
    keyId: `${url}#main-key`,
    publicKeyPem: 'PEM-1',
    lastFetchedAt: new Date('2026-11-22T10:00:00Z'),
    ...overrides,
  };
}

describe.each<TestDatabaseKind>(['embedded', 'postgres'])('createPrismaActorStore (%s)', (kind) => {
  let db: Database;
  let drop: () => Promise<void>;
  let keys: ActorKeyPair;

  beforeAll(async () => {
    const target = await createTestDatabase(kind);
    drop = target.drop;
    db = await openDatabase({ url: target.url, dataDir: 'memory://', logger: pino({ level: 'silent' }) });
    keys = await generateActorKeyPair();
    await db.prisma.actor.create({
      data: {
        type: 'Person',
        preferredUsername: 'root',
        host: null,
        url: LOCAL,
        inboxUrl: `${LOCAL}/inbox`,
        keyId: `${LOCAL}#main-key`,
        publicKeyPem: 'LOCAL-PEM',
        privateKeyPem: 'LOCAL-PRIVATE',
      },
    });
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('creates a remote actor with every field, then updates it by URL', async () => {
    const store = createPrismaActorStore(db.prisma);
    const alice = 'https://a.example/accounts/alice';
    expect(await store.saveRemoteActor(remoteRecord(alice))).toEqual({ ok: true });
    const later = new Date('2026-11-23T10:00:00Z');
    expect(await store.saveRemoteActor(remoteRecord(alice, { publicKeyPem: 'PEM-2', name: 'Alice 2', summary: null, lastFetchedAt: later }))).toEqual({ ok: true });
    const row = await db.prisma.actor.findUnique({ where: { url: alice } });
    expect(row).toMatchObject({
      type: 'Person',
      preferredUsername: 'alice',
      host: 'a.example',
      inboxUrl: `${alice}/inbox`,
      sharedInboxUrl: 'https://a.example/inbox',
      outboxUrl: `${alice}/outbox`,
      followersUrl: `${alice}/followers`,
      followingUrl: `${alice}/following`,
      keyId: `${alice}#main-key`,
      publicKeyPem: 'PEM-2',
      privateKeyPem: null,
      name: 'Alice 2',
      summary: null,
      lastFetchedAt: later,
    });
    expect(await db.prisma.actor.count({ where: { url: alice } })).toBe(1);
  });

  it('finds a key by key id, by bare actor URL, and local keys by URL without fragment', async () => {
    const store = createPrismaActorStore(db.prisma);
    const bob = 'https://b.example/accounts/bob';
    await store.saveRemoteActor(remoteRecord(bob));
    const expected = { actorUrl: bob, keyId: `${bob}#main-key`, publicKeyPem: 'PEM-1', local: false };
    expect(await store.findByKeyId(`${bob}#main-key`)).toMatchObject(expected);
    expect(await store.findByKeyId(bob)).toMatchObject(expected);
    expect(await store.findByKeyId(`${bob}#other`)).toBeUndefined();
    expect(await store.findByKeyId(`${LOCAL}#main-key`)).toMatchObject({ actorUrl: LOCAL, local: true, lastFetchedAt: null });
    expect(await store.findByKeyId(LOCAL)).toMatchObject({ actorUrl: LOCAL, local: true });
    expect(await store.findByKeyId('https://nobody.example/x')).toBeUndefined();
  });

  it('never overwrites a local actor', async () => {
    const store = createPrismaActorStore(db.prisma);
    expect(await store.saveRemoteActor(remoteRecord(LOCAL, { host: 'us.example', publicKeyPem: 'EVIL' }))).toMatchObject({ ok: false, reason: { type: 'local-actor' } });
    expect(
      await store.saveRemoteActor(remoteRecord('https://c.example/accounts/carol', { keyId: `${LOCAL}#main-key`, publicKeyPem: 'EVIL' })),
    ).toMatchObject({ ok: false, reason: { type: 'local-actor' } });
    expect(await db.prisma.actor.findUnique({ where: { url: LOCAL } })).toMatchObject({ host: null, publicKeyPem: 'LOCAL-PEM', privateKeyPem: 'LOCAL-PRIVATE' });
    expect(await db.prisma.actor.count({ where: { url: 'https://c.example/accounts/carol' } })).toBe(0);
  });

  it('moves a key id to the actor that publishes it now, and reports a name taken by another URL', async () => {
    const store = createPrismaActorStore(db.prisma);
    const old = 'https://d.example/users/dave';
    const moved = 'https://d.example/accounts/dave2';
    await store.saveRemoteActor(remoteRecord(old, { keyId: 'https://d.example/keys/1' }));
    expect(await store.saveRemoteActor(remoteRecord(moved, { keyId: 'https://d.example/keys/1' }))).toEqual({ ok: true });
    expect(await store.findByKeyId('https://d.example/keys/1')).toMatchObject({ actorUrl: moved });
    expect((await db.prisma.actor.findUnique({ where: { url: old } }))?.keyId).toBeNull();
    expect(await store.saveRemoteActor(remoteRecord('https://d.example/people/dave', { preferredUsername: 'dave', keyId: 'https://d.example/keys/9' }))).toMatchObject({
      ok: false,
      reason: { type: 'conflict' },
    });
  });

  it('backs the key resolver: fetched once, then served from the table', async () => {
    let served = 0;
    const remote = await startServer((req, res) => {
      served++;
      const id = `http://127.0.0.1:${req.socket.localPort}/accounts/erin`;
      sendJson(res, { type: 'Person', id, preferredUsername: 'erin', inbox: `${id}/inbox`, publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: keys.publicKeyPem } });
    });
    try {
      const clock = createManualClock(new Date('2026-11-22T12:00:00Z'));
      const fetcher = createSafeFetcher({ allowPrivateAddresses: true, timeoutMs: 5000, maxBytes: 100_000, maxRedirects: 3, userAgent: 'test', clock });
      const resolve = createPublicKeyResolver({ fetcher, store: createPrismaActorStore(db.prisma), clock, maxAgeMs: 60_000 });
      const erin = `${remote.base}/accounts/erin`;
      expect(await resolve(erin, { refresh: false })).toMatchObject({ ok: true, cached: false, key: { id: `${erin}#main-key`, owner: erin } });
      expect(await resolve(`${erin}#main-key`, { refresh: false })).toMatchObject({ ok: true, cached: true });
      expect(served).toBe(1);
      expect(await db.prisma.actor.findUnique({ where: { url: erin } })).toMatchObject({ host: remote.host, lastFetchedAt: clock.now(), sharedInboxUrl: null });
      clock.advance(60_000);
      expect(await resolve(erin, { refresh: false })).toMatchObject({ ok: true, cached: false });
      expect(served).toBe(2);
    } finally {
      await remote.close();
    }
  });
});
