import { beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryActorStore,
  createPublicKeyResolver,
  type FetchJsonOptions,
  type FetchJsonResult,
  type PublicKeyResolverOptions,
  type ResolveWebfinger,
} from '../../../src/federation/remote/index.js';
import { generateActorKeyPair, type ActorKeyPair } from '../../../src/federation/signatures/index.js';
import { createManualClock } from '../../../src/lib/clock.js';

const ALICE = 'https://a.example/accounts/alice';
const ALICE_KEY = `${ALICE}#main-key`;
const HOUR = 3_600_000;

let alice: ActorKeyPair;
let rotated: ActorKeyPair;

beforeAll(async () => {
  [alice, rotated] = await Promise.all([generateActorKeyPair(), generateActorKeyPair()]);
});

function actorDocument(id: string, publicKey: unknown, extra: Record<string, unknown> = {}) {
  return {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    type: 'Person',
    id,
    preferredUsername: id.split('/').pop(),
    name: 'Alice',
    summary: 'hello',
    inbox: `${id}/inbox`,
    outbox: `${id}/outbox`,
    followers: `${id}/followers`,
    following: `${id}/following`,
    endpoints: { sharedInbox: `${new URL(id).origin}/inbox` },
    publicKey,
    ...extra,
  };
}

type Served = { json: unknown; finalUrl?: string } | { failure: FetchJsonResult & { ok: false } };

/** A fetcher over a table of documents; records every URL asked for. */
function tableFetcher(table: Map<string, Served>) {
  const calls: { url: string; options: FetchJsonOptions | undefined }[] = [];
  return {
    calls,
    table,
    async fetchJson(url: string | URL, options?: FetchJsonOptions): Promise<FetchJsonResult> {
      const href = String(url);
      calls.push({ url: href, options });
      const served = table.get(href);
      if (served === undefined) return { ok: false, reason: { type: 'http-error', status: 404, message: `${href} answered 404` } };
      if ('failure' in served) return served.failure;
      return { ok: true, json: served.json, url: served.finalUrl ?? href, status: 200, headers: {} };
    },
  };
}

function setup(entries: [string, Served][], overrides: Partial<PublicKeyResolverOptions> = {}) {
  const fetcher = tableFetcher(new Map(entries));
  const store = createMemoryActorStore();
  const clock = createManualClock(new Date('2026-11-22T19:00:00Z'));
  const resolve = createPublicKeyResolver({ fetcher, store, clock, maxAgeMs: 24 * HOUR, ...overrides });
  return { fetcher, store, clock, resolve };
}

const aliceServed = (): [string, Served] => [ALICE, { json: actorDocument(ALICE, { id: ALICE_KEY, owner: ALICE, publicKeyPem: alice.publicKeyPem }) }];

describe('createPublicKeyResolver', () => {
  it('fetches the actor of a #main-key key id, stores it, and answers from the store next time', async () => {
    const { fetcher, store, resolve } = setup([aliceServed()]);
    const first = await resolve(ALICE_KEY, { refresh: false });
    expect(first).toMatchObject({ ok: true, cached: false, key: { id: ALICE_KEY, owner: ALICE, publicKeyPem: alice.publicKeyPem } });
    expect(first.ok && first.key.keyObject?.asymmetricKeyType).toBe('rsa');
    expect(fetcher.calls.map((c) => c.url)).toEqual([ALICE]);
    expect(store.remote.get(ALICE)).toMatchObject({
      url: ALICE,
      type: 'Person',
      preferredUsername: 'alice',
      host: 'a.example',
      name: 'Alice',
      summary: 'hello',
      inboxUrl: `${ALICE}/inbox`,
      sharedInboxUrl: 'https://a.example/inbox',
      outboxUrl: `${ALICE}/outbox`,
      followersUrl: `${ALICE}/followers`,
      followingUrl: `${ALICE}/following`,
      keyId: ALICE_KEY,
      publicKeyPem: alice.publicKeyPem,
      lastFetchedAt: new Date('2026-11-22T19:00:00Z'),
    });

    const second = await resolve(ALICE_KEY, { refresh: false });
    expect(second).toMatchObject({ ok: true, cached: true, key: { id: ALICE_KEY, owner: ALICE } });
    expect(fetcher.calls).toHaveLength(1);
  });

  it('accepts the bare actor URL as key id (PeerTube) and finds it in the store afterwards', async () => {
    const { fetcher, store, resolve } = setup([aliceServed()]);
    expect(await resolve(ALICE, { refresh: false })).toMatchObject({ ok: true, key: { id: ALICE_KEY, owner: ALICE } });
    expect(store.remote.get(ALICE)?.keyId).toBe(ALICE_KEY);
    expect(await resolve(ALICE, { refresh: false })).toMatchObject({ ok: true, cached: true, key: { owner: ALICE } });
    expect(await resolve(ALICE_KEY, { refresh: false })).toMatchObject({ ok: true, cached: true });
    expect(fetcher.calls).toHaveLength(1);
  });

  it('fetches again when the stored actor is older than maxAgeMs, or when asked to refresh', async () => {
    const { fetcher, clock, resolve } = setup([aliceServed()]);
    await resolve(ALICE_KEY, { refresh: false });
    clock.advance(24 * HOUR - 1);
    expect(await resolve(ALICE_KEY, { refresh: false })).toMatchObject({ ok: true, cached: true });
    clock.advance(1);
    expect(await resolve(ALICE_KEY, { refresh: false })).toMatchObject({ ok: true, cached: false });
    expect(await resolve(ALICE_KEY, { refresh: true })).toMatchObject({ ok: true, cached: false });
    expect(fetcher.calls).toHaveLength(3);
  });

  it('picks up a rotated key on refresh', async () => {
    const { fetcher, resolve } = setup([aliceServed()]);
    await resolve(ALICE_KEY, { refresh: false });
    fetcher.table.set(ALICE, { json: actorDocument(ALICE, { id: ALICE_KEY, owner: ALICE, publicKeyPem: rotated.publicKeyPem }) });
    expect(await resolve(ALICE_KEY, { refresh: false })).toMatchObject({ ok: true, cached: true, key: { publicKeyPem: alice.publicKeyPem } });
    expect(await resolve(ALICE_KEY, { refresh: true })).toMatchObject({ ok: true, cached: false, key: { publicKeyPem: rotated.publicKeyPem } });
    expect(await resolve(ALICE_KEY, { refresh: false })).toMatchObject({ ok: true, cached: true, key: { publicKeyPem: rotated.publicKeyPem } });
  });

  it('does not refetch within minRefreshIntervalMs of the last fetch', async () => {
    const { fetcher, clock, resolve } = setup([aliceServed()], { minRefreshIntervalMs: 60_000 });
    await resolve(ALICE_KEY, { refresh: false });
    expect(await resolve(ALICE_KEY, { refresh: true })).toMatchObject({ ok: true, cached: false });
    expect(fetcher.calls).toHaveLength(1);
    clock.advance(60_000);
    await resolve(ALICE_KEY, { refresh: true });
    expect(fetcher.calls).toHaveLength(2);
  });

  it("refuses a key whose owner is not the actor document's id", async () => {
    const { store, resolve } = setup([
      [ALICE, { json: actorDocument(ALICE, { id: ALICE_KEY, owner: 'https://a.example/accounts/mallory', publicKeyPem: alice.publicKeyPem }) }],
    ]);
    // the actor parser (PeerTube's rules) refuses the document itself: its key must be its own
    expect(await resolve(ALICE_KEY, { refresh: false })).toMatchObject({ ok: false, reason: { type: 'bad-actor' } });
    expect(await resolve(ALICE, { refresh: false })).toMatchObject({ ok: false, reason: { type: 'bad-actor' } });
    expect(store.saves).toHaveLength(0);
  });

  it('refuses a key id the actor does not publish', async () => {
    const { resolve } = setup([aliceServed()]);
    expect(await resolve(`${ALICE}#other-key`, { refresh: false })).toMatchObject({ ok: false, reason: { type: 'key-not-found' } });
  });

  it('refuses a document served from another origin than its id', async () => {
    const { resolve } = setup([
      ['https://evil.example/alice', { json: actorDocument(ALICE, { id: ALICE_KEY, owner: ALICE, publicKeyPem: alice.publicKeyPem }) }],
      [ALICE, { json: actorDocument(ALICE, { id: ALICE_KEY, owner: ALICE, publicKeyPem: alice.publicKeyPem }), finalUrl: 'https://evil.example/alice' }],
    ]);
    // the evil host serves a copy of alice's actor: its id is not on the origin that served it
    expect(await resolve('https://evil.example/alice', { refresh: false })).toMatchObject({ ok: false, reason: { type: 'foreign-document' } });
    // a redirect took the fetch elsewhere
    expect(await resolve(ALICE_KEY, { refresh: false })).toMatchObject({ ok: false, reason: { type: 'foreign-document' } });
  });

  it("refuses a key on another origin than its actor (it could take over another actor's key id)", async () => {
    const evil = 'https://evil.example/actor';
    const { store, resolve } = setup([[evil, { json: actorDocument(evil, { id: ALICE_KEY, owner: evil, publicKeyPem: rotated.publicKeyPem }) }]]);
    expect(await resolve(evil, { refresh: false })).toMatchObject({ ok: false, reason: { type: 'foreign-key' } });
    expect(store.saves).toHaveLength(0);
  });

  it('follows a key document to its owner (key ids that are not fragments)', async () => {
    const keyUrl = `${ALICE}/main-key`;
    const { fetcher, resolve } = setup([
      [keyUrl, { json: { id: keyUrl, type: 'Key', owner: ALICE, publicKeyPem: alice.publicKeyPem } }],
      [ALICE, { json: actorDocument(ALICE, { id: keyUrl, owner: ALICE, publicKeyPem: alice.publicKeyPem }) }],
    ]);
    expect(await resolve(keyUrl, { refresh: false })).toMatchObject({ ok: true, key: { id: keyUrl, owner: ALICE } });
    expect(fetcher.calls.map((c) => c.url)).toEqual([keyUrl, ALICE]);
  });

  it("refuses a key document whose owner does not publish that key", async () => {
    const keyUrl = `${ALICE}/main-key`;
    const { resolve } = setup([
      [keyUrl, { json: { id: keyUrl, owner: ALICE, publicKeyPem: rotated.publicKeyPem } }],
      aliceServed(),
    ]);
    expect(await resolve(keyUrl, { refresh: false })).toMatchObject({ ok: false, reason: { type: 'key-not-found' } });
  });

  it('resolves acct: key ids through WebFinger', async () => {
    const asked: string[] = [];
    const webfinger: ResolveWebfinger = async (handle) => {
      asked.push(handle);
      return { ok: true, actorUrl: ALICE, subject: 'acct:alice@a.example' };
    };
    const { resolve } = setup([aliceServed()], { webfinger });
    expect(await resolve('acct:alice@a.example', { refresh: false })).toMatchObject({ ok: true, key: { id: ALICE_KEY, owner: ALICE } });
    expect(asked).toEqual(['acct:alice@a.example']);
    expect(await resolve('acct:alice@a.example', { refresh: false })).toMatchObject({ ok: true, cached: true });
  });

  it.each([
    ['acct:alice@a.example', /acct: key ids are not resolved/],
    ['urn:uuid:1234', /not an http\(s\) key id/],
    ['main-key', /not a URL/],
    ['ftp://a.example/key', /not an http\(s\) key id/],
  ])('refuses the key id %s', async (keyId, detail) => {
    const { fetcher, resolve } = setup([]);
    expect(await resolve(keyId, { refresh: false })).toMatchObject({ ok: false, reason: { type: 'bad-key-id', detail } });
    expect(fetcher.calls).toHaveLength(0);
  });

  it("passes the fetcher's refusal on (blocked address, not an actor, unusable key)", async () => {
    const blocked: Served = {
      failure: { ok: false, reason: { type: 'blocked-address', message: 'no', address: '127.0.0.1', range: 'loopback' } },
    };
    const { resolve } = setup([
      ['https://internal.example/actor', blocked],
      ['https://a.example/video', { json: { id: 'https://a.example/video', type: 'Video' } }],
      ['https://a.example/accounts/bad', { json: actorDocument('https://a.example/accounts/bad', { id: 'https://a.example/accounts/bad#main-key', owner: 'https://a.example/accounts/bad', publicKeyPem: 'not a key' }) }],
    ]);
    expect(await resolve('https://internal.example/actor#main-key', { refresh: false })).toMatchObject({ ok: false, reason: { type: 'blocked-address' } });
    expect(await resolve('https://a.example/video', { refresh: false })).toMatchObject({ ok: false, reason: { type: 'bad-actor' } });
    // a PEM that is no key: refused with the document by the actor parser
    expect(await resolve('https://a.example/accounts/bad', { refresh: false })).toMatchObject({ ok: false, reason: { type: 'bad-actor' } });
  });

  it('keeps using a stale stored key while its host is unreachable, but not on refresh', async () => {
    const { fetcher, clock, resolve } = setup([aliceServed()]);
    await resolve(ALICE_KEY, { refresh: false });
    clock.advance(25 * HOUR);
    fetcher.table.set(ALICE, { failure: { ok: false, reason: { type: 'timeout', message: 'slow', phase: 'response' } } });
    expect(await resolve(ALICE_KEY, { refresh: false })).toMatchObject({ ok: true, cached: true, key: { publicKeyPem: alice.publicKeyPem } });
    expect(await resolve(ALICE_KEY, { refresh: true })).toMatchObject({ ok: false, reason: { type: 'timeout' } });
    fetcher.table.set(ALICE, { failure: { ok: false, reason: { type: 'http-error', status: 410, message: 'gone' } } });
    expect(await resolve(ALICE_KEY, { refresh: false })).toMatchObject({ ok: false, reason: { type: 'http-error' } });
  });

  it('answers local actors from the store and never fetches them', async () => {
    const local = 'https://us.example/accounts/peertube';
    const fetcher = tableFetcher(new Map());
    const store = createMemoryActorStore([{ url: local, keyId: `${local}#main-key`, publicKeyPem: alice.publicKeyPem }]);
    const resolve = createPublicKeyResolver({ fetcher, store, clock: createManualClock(), maxAgeMs: HOUR });
    expect(await resolve(`${local}#main-key`, { refresh: false })).toMatchObject({ ok: true, key: { owner: local } });
    expect(await resolve(local, { refresh: true })).toMatchObject({ ok: true, key: { owner: local } });
    expect(fetcher.calls).toHaveLength(0);
  });

  it('refuses to store a remote document over a local actor', async () => {
    const local = 'https://us.example/accounts/root';
    const keyUrl = `${local}/other-key`;
    // A key id the store does not know, whose owner document claims a local actor's URL.
    const fetcher = tableFetcher(
      new Map<string, Served>([
        [keyUrl, { json: { id: keyUrl, owner: local, publicKeyPem: rotated.publicKeyPem } }],
        [local, { json: actorDocument(local, { id: keyUrl, owner: local, publicKeyPem: rotated.publicKeyPem }) }],
      ]),
    );
    const store = createMemoryActorStore([{ url: local, keyId: `${local}#main-key`, publicKeyPem: alice.publicKeyPem }]);
    const resolve = createPublicKeyResolver({ fetcher, store, clock: createManualClock(), maxAgeMs: HOUR });
    expect(await resolve(keyUrl, { refresh: false })).toMatchObject({ ok: false, reason: { type: 'local-actor' } });
    expect(store.saves).toHaveLength(0);
    expect(await resolve(`${local}#main-key`, { refresh: false })).toMatchObject({ ok: true, key: { publicKeyPem: alice.publicKeyPem } });
  });

  it('shares one fetch between concurrent requests for the same key id', async () => {
    const { fetcher, resolve } = setup([aliceServed()]);
    const results = await Promise.all([resolve(ALICE_KEY, { refresh: false }), resolve(ALICE_KEY, { refresh: false }), resolve(ALICE_KEY, { refresh: false })]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fetcher.calls).toHaveLength(1);
  });

  it('signs its GETs when given an actor to sign as', async () => {
    const signWith = { keyId: 'https://us.example/accounts/peertube', privateKeyPem: rotated.privateKeyPem };
    const { fetcher, resolve } = setup([aliceServed()], { signWith: async () => signWith });
    await resolve(ALICE_KEY, { refresh: false });
    expect(fetcher.calls[0]?.options?.signWith).toBe(signWith);
  });
});
