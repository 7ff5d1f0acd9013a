import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryActorStore,
  createPublicKeyResolver,
  createSafeFetcher,
  createWebfingerResolver,
  type SafeFetcher,
} from '../../../src/federation/remote/index.js';
import {
  generateActorKeyPair,
  signRequest,
  verifyRequestSignature,
  type ActorKeyPair,
  type FetchPublicKey,
  type HeaderMap,
} from '../../../src/federation/signatures/index.js';
import { createManualClock, type Clock } from '../../../src/lib/clock.js';
import { sendJson, startServer, type LocalServer } from './local-servers.js';

const DAY = 86_400_000;
const opened: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

let aliceKeys: ActorKeyPair;
let rotatedKeys: ActorKeyPair;
beforeAll(async () => {
  [aliceKeys, rotatedKeys] = await Promise.all([generateActorKeyPair(), generateActorKeyPair()]);
});

/** A remote instance on 127.0.0.1 that publishes alice (a PeerTube-shaped Person) and WebFinger. */
async function remoteInstance() {
  const state = { publicKeyPem: '', owner: '' };
  const s = await startServer((req, res) => {
    const base = `http://127.0.0.1:${req.socket.localPort}`;
    const alice = `${base}/accounts/alice`;
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/accounts/alice') {
      return sendJson(res, {
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
        type: 'Person',
        id: alice,
        following: `${alice}/following`,
        followers: `${alice}/followers`,
        inbox: `${alice}/inbox`,
        outbox: `${alice}/outbox`,
        preferredUsername: 'alice',
        url: alice,
        name: 'Alice',
        endpoints: { sharedInbox: `${base}/inbox` },
        publicKey: { id: `${alice}#main-key`, owner: state.owner || alice, publicKeyPem: state.publicKeyPem },
        summary: null,
      });
    }
    if (url.pathname === '/.well-known/webfinger' && url.searchParams.get('resource') === `acct:alice@127.0.0.1:${req.socket.localPort}`) {
      return sendJson(
        res,
        { subject: url.searchParams.get('resource'), aliases: [alice], links: [{ rel: 'self', type: 'application/activity+json', href: alice }] },
        'application/json; charset=utf-8',
      );
    }
    res.writeHead(404);
    res.end();
  });
  opened.push(s);
  state.publicKeyPem = aliceKeys.publicKeyPem;
  return { ...s, state, alice: `${s.base}/accounts/alice`, aliceKeyId: `${s.base}/accounts/alice#main-key` };
}

function makeFetcher(clock: Clock, allowPrivateAddresses: boolean): SafeFetcher {
  return createSafeFetcher({ allowPrivateAddresses, timeoutMs: 5_000, maxBytes: 1_000_000, maxRedirects: 3, userAgent: 'mirrortube-test', clock });
}

/** A POST to our inbox signed by `keyId` with `privateKeyPem`, checked as the inbox would check it. */
function verifyInbound(fetchPublicKey: FetchPublicKey, clock: Clock, keyId: string, privateKeyPem: string) {
  const body = JSON.stringify({ type: 'Follow', actor: keyId.split('#')[0], object: 'https://us.example/accounts/peertube' });
  const headers = signRequest({ method: 'POST', url: 'https://us.example/inbox', body, keyId, privateKeyPem, now: clock.now() });
  return verifyRequestSignature({
    request: { method: 'POST', path: '/inbox', headers: { ...headers, 'content-type': 'application/activity+json' } as HeaderMap, body },
    now: clock.now(),
    expectedHost: 'us.example',
    fetchPublicKey,
  });
}

describe('the public key resolver with a real remote actor', () => {
  it('verifies a signed request, then answers from the store; refetches on key rotation', async () => {
    const remote = await remoteInstance();
    const clock = createManualClock(new Date());
    const store = createMemoryActorStore();
    const fetchPublicKey = createPublicKeyResolver({ fetcher: makeFetcher(clock, true), store, clock, maxAgeMs: DAY });

    const first = await verifyInbound(fetchPublicKey, clock, remote.aliceKeyId, aliceKeys.privateKeyPem);
    expect(first).toMatchObject({ ok: true, owner: remote.alice, keyId: remote.aliceKeyId });
    expect(remote.received).toHaveLength(1);
    expect(remote.received[0]?.headers.accept).toContain('application/activity+json');
    expect(store.remote.get(remote.alice)).toMatchObject({ keyId: remote.aliceKeyId, inboxUrl: `${remote.alice}/inbox`, host: remote.host });

    // cache hit: no request
    expect(await verifyInbound(fetchPublicKey, clock, remote.aliceKeyId, aliceKeys.privateKeyPem)).toMatchObject({ ok: true });
    expect(remote.received).toHaveLength(1);

    // alice rotates her key: the cached key fails, the resolver refetches once, the new key verifies
    remote.state.publicKeyPem = rotatedKeys.publicKeyPem;
    expect(await verifyInbound(fetchPublicKey, clock, remote.aliceKeyId, rotatedKeys.privateKeyPem)).toMatchObject({ ok: true, owner: remote.alice });
    expect(remote.received).toHaveLength(2);
    // the old key no longer verifies
    expect(await verifyInbound(fetchPublicKey, clock, remote.aliceKeyId, aliceKeys.privateKeyPem)).toMatchObject({ ok: false, reason: { type: 'bad-signature' } });
  });

  it('accepts the bare actor URL as keyId, as PeerTube sends it', async () => {
    const remote = await remoteInstance();
    const clock = createManualClock(new Date());
    const fetchPublicKey = createPublicKeyResolver({ fetcher: makeFetcher(clock, true), store: createMemoryActorStore(), clock, maxAgeMs: DAY });
    expect(await verifyInbound(fetchPublicKey, clock, remote.alice, aliceKeys.privateKeyPem)).toMatchObject({ ok: true, owner: remote.alice });
    expect(await verifyInbound(fetchPublicKey, clock, remote.alice, aliceKeys.privateKeyPem)).toMatchObject({ ok: true });
    expect(remote.received).toHaveLength(1);
  });

  it('refuses a key whose owner is another actor', async () => {
    const remote = await remoteInstance();
    remote.state.owner = `${remote.base}/accounts/bob`;
    const clock = createManualClock(new Date());
    const store = createMemoryActorStore();
    const fetchPublicKey = createPublicKeyResolver({ fetcher: makeFetcher(clock, true), store, clock, maxAgeMs: DAY });
    expect(await verifyInbound(fetchPublicKey, clock, remote.aliceKeyId, aliceKeys.privateKeyPem)).toMatchObject({
      ok: false,
      // the actor parser (PeerTube's rules) refuses the document: its key must be its own
      reason: { type: 'key-unavailable', cause: { type: 'bad-actor' } },
    });
    expect(store.saves).toHaveLength(0);
  });

  it('with the guard on, refuses a keyId on a private address without fetching it', async () => {
    const remote = await remoteInstance();
    const clock = createManualClock(new Date());
    const store = createMemoryActorStore();
    const fetchPublicKey = createPublicKeyResolver({ fetcher: makeFetcher(clock, false), store, clock, maxAgeMs: DAY });
    for (const keyId of [remote.aliceKeyId, remote.alice, `http://2130706433:${remote.port}/accounts/alice#main-key`, `http://[::ffff:127.0.0.1]:${remote.port}/accounts/alice`]) {
      const verified = await verifyInbound(fetchPublicKey, clock, keyId, aliceKeys.privateKeyPem);
      expect(verified, keyId).toMatchObject({ ok: false, reason: { type: 'key-unavailable', keyId, cause: { type: 'blocked-address' } } });
    }
    expect(remote.received).toHaveLength(0);
    expect(store.saves).toHaveLength(0);
  });

  it('resolves acct: key ids through WebFinger on the remote', async () => {
    const remote = await remoteInstance();
    const clock = createManualClock(new Date());
    const fetcher = makeFetcher(clock, true);
    const fetchPublicKey = createPublicKeyResolver({
      fetcher,
      store: createMemoryActorStore(),
      clock,
      maxAgeMs: DAY,
      webfinger: createWebfingerResolver({ fetcher, scheme: (host) => (host.startsWith('127.0.0.1:') ? 'http' : 'https') }),
    });
    const result = await fetchPublicKey(`acct:alice@${remote.host}`, { refresh: false });
    expect(result).toMatchObject({ ok: true, key: { id: remote.aliceKeyId, owner: remote.alice } });
    expect(remote.received.map((r) => r.path)).toEqual([`/.well-known/webfinger?resource=${encodeURIComponent(`acct:alice@${remote.host}`)}`, '/accounts/alice']);
  });

  it('signs its GETs as our instance actor when configured (authorized fetch)', async () => {
    const remote = await remoteInstance();
    const clock = createManualClock(new Date());
    const signWith = { keyId: 'https://us.example/accounts/peertube', privateKeyPem: rotatedKeys.privateKeyPem };
    const fetchPublicKey = createPublicKeyResolver({
      fetcher: makeFetcher(clock, true),
      store: createMemoryActorStore(),
      clock,
      maxAgeMs: DAY,
      signWith,
    });
    await fetchPublicKey(remote.aliceKeyId, { refresh: false });
    const signature = String(remote.received[0]?.headers.signature);
    expect(signature).toContain('keyId="https://us.example/accounts/peertube"');
    expect(signature).toContain('headers="(request-target) host date"');
  });
});
