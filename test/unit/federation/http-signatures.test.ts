import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildSigningString,
  computeDigest,
  formatSignatureHeader,
  generateActorKeyPair,
  signRequest,
  verifyRequestSignature,
  type ActorKeyPair,
  type FetchPublicKey,
  type HeaderMap,
  type IncomingRequestDescription,
  type PublicKeyRecord,
} from '../../../src/federation/signatures/index.js';
import { tableKeyFetcher } from './reference-fixtures.js';

const NOW = new Date('2026-11-22T19:11:19.000Z');
const ALICE = 'https://a.example/accounts/alice';
const ALICE_KEY_ID = `${ALICE}#main-key`;
const INBOX = 'https://b.example/inbox';
const BODY = JSON.stringify({ type: 'Follow', id: `${ALICE}/follows/1`, actor: ALICE, object: 'https://b.example/accounts/bob' });

let alice: ActorKeyPair;
let mallory: ActorKeyPair;
let aliceKey: PublicKeyRecord;

beforeAll(async () => {
  [alice, mallory] = await Promise.all([generateActorKeyPair(), generateActorKeyPair()]);
  aliceKey = { id: ALICE_KEY_ID, owner: ALICE, publicKeyPem: alice.publicKeyPem };
});

function aliceKeys(): FetchPublicKey & { calls: string[] } {
  return tableKeyFetcher(new Map([[ALICE_KEY_ID, aliceKey]]));
}

function signedPost(privateKeyPem = alice.privateKeyPem, now = NOW): IncomingRequestDescription {
  const headers = signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: ALICE_KEY_ID, privateKeyPem, now });
  return { method: 'POST', path: '/inbox', headers: { ...headers, 'content-type': 'application/activity+json' }, body: BODY };
}

/** Signs `request` over an arbitrary header list, for the refusal cases signRequest never produces. */
function signOver(
  request: IncomingRequestDescription,
  signedHeaders: string[],
  extra: { created?: number; expires?: number; algorithm?: string } = {},
): IncomingRequestDescription {
  const built = buildSigningString({ ...request, signedHeaders, created: extra.created, expires: extra.expires });
  if (!built.ok) throw new Error(`test request lacks ${built.absent}`);
  const signature = sign('sha256', Buffer.from(built.value), createPrivateKey(alice.privateKeyPem)).toString('base64');
  const header = formatSignatureHeader({ keyId: ALICE_KEY_ID, algorithm: extra.algorithm ?? 'rsa-sha256', headers: signedHeaders, signature, ...extra });
  return { ...request, headers: { ...request.headers, Signature: header } };
}

function unsignedPost(date = NOW): IncomingRequestDescription {
  const headers: HeaderMap = { host: 'b.example', date: date.toUTCString(), digest: computeDigest(BODY) };
  return { method: 'POST', path: '/inbox', headers, body: BODY };
}

describe('signRequest', () => {
  it('signs a POST over (request-target) host date digest, PeerTube style', () => {
    const headers = signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: ALICE_KEY_ID, privateKeyPem: alice.privateKeyPem, now: NOW });
    expect(headers.Host).toBe('b.example');
    expect(headers.Date).toBe('Sun, 22 Nov 2026 19:11:19 GMT');
    expect(headers.Digest).toBe(computeDigest(BODY));
    expect(headers.Signature).toMatch(
      /^keyId="https:\/\/a\.example\/accounts\/alice#main-key",algorithm="rsa-sha256",headers="\(request-target\) host date digest",signature="[A-Za-z0-9+/]+=*"$/,
    );
  });

  it('signs a GET over (request-target) host date, without Digest, keeping a non-default port in Host', () => {
    const headers = signRequest({ method: 'GET', url: 'http://localhost:9000/accounts/root?page=1', keyId: ALICE_KEY_ID, privateKeyPem: alice.privateKeyPem, now: NOW });
    expect(headers.Host).toBe('localhost:9000');
    expect(headers.Digest).toBeUndefined();
    expect(headers.Signature).toContain('headers="(request-target) host date"');
  });

  it('signs extra headers from the request when asked, ignoring a stale Host/Date given by the caller', async () => {
    const headers = signRequest({
      method: 'POST',
      url: INBOX,
      body: BODY,
      headers: { 'Content-Type': 'application/activity+json', Host: 'stale.example', Date: 'yesterday' },
      extraSignedHeaders: ['content-type'],
      keyId: ALICE_KEY_ID,
      privateKeyPem: alice.privateKeyPem,
      now: NOW,
    });
    expect(headers.Signature).toContain('headers="(request-target) host date digest content-type"');
    const result = await verifyRequestSignature({
      request: { method: 'POST', path: '/inbox', headers: { ...headers, 'content-type': 'application/activity+json' }, body: BODY },
      now: NOW,
      fetchPublicKey: aliceKeys(),
    });
    expect(result.ok).toBe(true);
  });

  it('signs with a PKCS#1 private key as PeerTube stores them', async () => {
    const pkcs1 = createPrivateKey(alice.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    const result = await verifyRequestSignature({ request: signedPost(pkcs1), now: NOW, fetchPublicKey: aliceKeys() });
    expect(result.ok).toBe(true);
  });
});

describe('generateActorKeyPair', () => {
  it('makes RSA-2048 keys in the PEM forms actors publish (SPKI public, PKCS#8 private)', () => {
    expect(alice.publicKeyPem.startsWith('-----BEGIN PUBLIC KEY-----\n')).toBe(true);
    expect(alice.privateKeyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    expect(createPrivateKey(alice.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });
});

describe('verifyRequestSignature: acceptance', () => {
  it('accepts its own signed POST and names the key owner', async () => {
    const keys = aliceKeys();
    const result = await verifyRequestSignature({ request: signedPost(), now: NOW, fetchPublicKey: keys });
    expect(result).toMatchObject({ ok: true, keyId: ALICE_KEY_ID, owner: ALICE, signedHeaders: ['(request-target)', 'host', 'date', 'digest'] });
    expect(keys.calls).toEqual([ALICE_KEY_ID]);
  });

  it('accepts a signed GET with a query string', async () => {
    const headers = signRequest({ method: 'GET', url: 'https://b.example/outbox?page=2', keyId: ALICE_KEY_ID, privateKeyPem: alice.privateKeyPem, now: NOW });
    const result = await verifyRequestSignature({ request: { method: 'GET', path: '/outbox?page=2', headers }, now: NOW, fetchPublicKey: aliceKeys() });
    expect(result.ok).toBe(true);
  });

  it('reports whether the query string was signed (spec) or left out (PeerTube, older Mastodon)', async () => {
    const headers = signRequest({ method: 'GET', url: 'https://b.example/outbox?page=2', keyId: ALICE_KEY_ID, privateKeyPem: alice.privateKeyPem, now: NOW });
    const withQuery = await verifyRequestSignature({ request: { method: 'GET', path: '/outbox?page=2', headers }, now: NOW, fetchPublicKey: aliceKeys() });
    expect(withQuery).toMatchObject({ ok: true, querySigned: true });

    const pathOnly = signRequest({ method: 'GET', url: 'https://b.example/outbox', keyId: ALICE_KEY_ID, privateKeyPem: alice.privateKeyPem, now: NOW });
    const legacy = await verifyRequestSignature({ request: { method: 'GET', path: '/outbox?page=2', headers: pathOnly }, now: NOW, fetchPublicKey: aliceKeys() });
    expect(legacy).toMatchObject({ ok: true, querySigned: false });

    const otherPath = await verifyRequestSignature({ request: { method: 'GET', path: '/inbox?page=2', headers: pathOnly }, now: NOW, fetchPublicKey: aliceKeys() });
    expect(otherPath).toMatchObject({ ok: false, reason: { type: 'bad-signature' } });
  });

  it('accepts the signature in an Authorization: Signature header', async () => {
    const { Signature, ...rest } = signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: ALICE_KEY_ID, privateKeyPem: alice.privateKeyPem, now: NOW });
    const request = { method: 'POST', path: '/inbox', headers: { ...rest, authorization: `Signature ${Signature}` }, body: BODY };
    expect(await verifyRequestSignature({ request, now: NOW, fetchPublicKey: aliceKeys() })).toMatchObject({ ok: true });
  });

  it('accepts hs2019 (algorithm taken from the key) and a missing algorithm parameter', async () => {
    const hs = signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: ALICE_KEY_ID, privateKeyPem: alice.privateKeyPem, now: NOW, algorithm: 'hs2019' });
    expect(hs.Signature).toContain('algorithm="hs2019"');
    const request = { method: 'POST', path: '/inbox', headers: hs, body: BODY };
    expect(await verifyRequestSignature({ request, now: NOW, fetchPublicKey: aliceKeys() })).toMatchObject({ ok: true });
    const bare = { ...request, headers: { ...hs, Signature: hs.Signature.replace('algorithm="hs2019",', '') } };
    expect(await verifyRequestSignature({ request: bare, now: NOW, fetchPublicKey: aliceKeys() })).toMatchObject({ ok: true });
  });

  it('accepts (created) instead of Date, and honours (expires)', async () => {
    const created = Math.floor(NOW.getTime() / 1000);
    const { date: _date, ...noDate } = unsignedPost().headers as Record<string, string>;
    const base = { ...unsignedPost(), headers: noDate };
    const request = signOver(base, ['(request-target)', '(created)', '(expires)', 'host', 'digest'], { created, expires: created + 300, algorithm: 'hs2019' });
    expect(await verifyRequestSignature({ request, now: NOW, fetchPublicKey: aliceKeys() })).toMatchObject({ ok: true });

    const later = new Date(NOW.getTime() + 301_000);
    expect(await verifyRequestSignature({ request, now: later, fetchPublicKey: aliceKeys() })).toMatchObject({
      ok: false,
      reason: { type: 'date-out-of-window', detail: 'the signature has expired' },
    });
  });

  it('uses a pre-parsed KeyObject from the key cache, and refuses a private one', async () => {
    const parsed = { ...aliceKey, publicKeyPem: 'ignored when keyObject is set', keyObject: createPublicKey(alice.publicKeyPem) };
    const withParsed = tableKeyFetcher(new Map([[ALICE_KEY_ID, parsed]]));
    expect(await verifyRequestSignature({ request: signedPost(), now: NOW, fetchPublicKey: withParsed })).toMatchObject({ ok: true });
    const leaked = tableKeyFetcher(new Map([[ALICE_KEY_ID, { ...aliceKey, keyObject: createPrivateKey(alice.privateKeyPem) }]]));
    expect(await verifyRequestSignature({ request: signedPost(), now: NOW, fetchPublicKey: leaked })).toMatchObject({
      ok: false,
      reason: { type: 'key-unavailable', cause: { type: 'unusable-key' } },
    });
  });

  it('fetches again, bypassing the cache, when a cached key fails (key rotation)', async () => {
    const calls: Array<{ keyId: string; refresh: boolean }> = [];
    const stale: PublicKeyRecord = { ...aliceKey, publicKeyPem: mallory.publicKeyPem };
    const fetchPublicKey: FetchPublicKey = (keyId, { refresh }) => {
      calls.push({ keyId, refresh });
      return Promise.resolve(refresh ? { ok: true, key: aliceKey } : { ok: true, key: stale, cached: true });
    };
    expect(await verifyRequestSignature({ request: signedPost(), now: NOW, fetchPublicKey })).toMatchObject({ ok: true });
    expect(calls).toEqual([
      { keyId: ALICE_KEY_ID, refresh: false },
      { keyId: ALICE_KEY_ID, refresh: true },
    ]);
  });
});

describe('verifyRequestSignature: refusals', () => {
  async function refusal(request: IncomingRequestDescription, now = NOW, keys = aliceKeys()) {
    const result = await verifyRequestSignature({ request, now, fetchPublicKey: keys });
    expect(result.ok).toBe(false);
    return { reason: result.ok ? undefined : result.reason, calls: keys.calls };
  }

  it('missing-signature, without asking for a key', async () => {
    const { reason, calls } = await refusal(unsignedPost());
    expect(reason).toEqual({ type: 'missing-signature' });
    expect(calls).toEqual([]);
  });

  it('malformed-signature, without asking for a key', async () => {
    const request = { ...unsignedPost(), headers: { ...unsignedPost().headers, signature: 'keyId="x",signature=' } };
    const { reason, calls } = await refusal(request);
    expect(reason?.type).toBe('malformed-signature');
    expect(calls).toEqual([]);
  });

  it('unsupported-algorithm, without asking for a key', async () => {
    const request = signOver(unsignedPost(), ['(request-target)', 'host', 'date', 'digest'], { algorithm: 'hmac-sha256' });
    const { reason, calls } = await refusal(request);
    expect(reason).toEqual({ type: 'unsupported-algorithm', algorithm: 'hmac-sha256' });
    expect(calls).toEqual([]);
  });

  it.each([
    [['host', 'date', 'digest'], '(request-target)'],
    [['(request-target)', 'date', 'digest'], 'host'],
    [['(request-target)', 'host', 'digest'], 'date'],
    [['(request-target)', 'host', 'date'], 'digest'],
  ])('missing-signed-header when signing only %j (no key fetched)', async (signed, missing) => {
    const { reason, calls } = await refusal(signOver(unsignedPost(), signed));
    expect(reason).toEqual({ type: 'missing-signed-header', header: missing });
    expect(calls).toEqual([]);
  });

  it.each([
    ['two hours ahead', new Date(NOW.getTime() + 2 * 3600_000)],
    ['two hours behind', new Date(NOW.getTime() - 2 * 3600_000)],
    ['in 2015', new Date('2015-10-21T07:28:00Z')],
  ])('date-out-of-window with a Date %s (no key fetched)', async (_label, date) => {
    const request = signOver(unsignedPost(date), ['(request-target)', 'host', 'date', 'digest']);
    const { reason, calls } = await refusal(request);
    expect(reason?.type).toBe('date-out-of-window');
    expect(calls).toEqual([]);
  });

  it('date-out-of-window beyond maxAge even inside a wide skew', async () => {
    const request = signOver(unsignedPost(new Date(NOW.getTime() - 13 * 3600_000)), ['(request-target)', 'host', 'date', 'digest']);
    const result = await verifyRequestSignature({ request, now: NOW, fetchPublicKey: aliceKeys(), maxSkewSeconds: 86400 });
    expect(result).toMatchObject({ ok: false, reason: { type: 'date-out-of-window' } });
    const fresh = await verifyRequestSignature({ request, now: NOW, fetchPublicKey: aliceKeys(), maxSkewSeconds: 86400, maxAgeSeconds: 86400 });
    expect(fresh.ok).toBe(true);
  });

  it('digest-mismatch when the body is altered after signing (no key fetched)', async () => {
    const request = { ...signedPost(), body: BODY.replace('Follow', 'Block') };
    const { reason, calls } = await refusal(request);
    expect(reason).toEqual({ type: 'digest-mismatch', algorithm: 'SHA-256' });
    expect(calls).toEqual([]);
  });

  it('digest-missing when the signed Digest header is dropped', async () => {
    const { Digest: _digest, ...headers } = signedPost().headers as Record<string, string>;
    const { reason, calls } = await refusal({ ...signedPost(), headers });
    expect(reason?.type).toBe('digest-missing');
    expect(calls).toEqual([]);
  });

  it('bad-signature when signed by another key', async () => {
    const { reason, calls } = await refusal(signedPost(mallory.privateKeyPem));
    expect(reason).toEqual({ type: 'bad-signature', keyId: ALICE_KEY_ID });
    expect(calls).toEqual([ALICE_KEY_ID]);
  });

  it('bad-signature when a signed header or the path is changed after signing', async () => {
    const original = signedPost();
    expect((await refusal({ ...original, headers: { ...original.headers, Host: 'c.example' } })).reason?.type).toBe('bad-signature');
    expect((await refusal({ ...original, path: '/accounts/bob/inbox' })).reason?.type).toBe('bad-signature');
    expect((await refusal({ ...original, method: 'PUT' })).reason?.type).toBe('bad-signature');
  });

  it('bad-signature when body and Digest are both replaced after signing', async () => {
    const other = BODY.replace('Follow', 'Block');
    const original = signedPost();
    const request = { ...original, body: other, headers: { ...original.headers, Digest: computeDigest(other) } };
    expect((await refusal(request)).reason?.type).toBe('bad-signature');
  });

  it('host-mismatch when told our host and the request was signed for another (no key fetched)', async () => {
    const keys = aliceKeys();
    const result = await verifyRequestSignature({ request: signedPost(), now: NOW, fetchPublicKey: keys, expectedHost: 'c.example' });
    expect(result).toEqual({ ok: false, reason: { type: 'host-mismatch', expected: 'c.example', received: 'b.example' } });
    expect(keys.calls).toEqual([]);
    const ours = await verifyRequestSignature({ request: signedPost(), now: NOW, fetchPublicKey: aliceKeys(), expectedHost: 'B.example' });
    expect(ours.ok).toBe(true);
  });

  it('key-unavailable when the key cannot be obtained, passing the cause through', async () => {
    const keys = tableKeyFetcher(new Map());
    const { reason } = await refusal(signedPost(), NOW, keys);
    expect(reason).toEqual({ type: 'key-unavailable', keyId: ALICE_KEY_ID, cause: { type: 'not-found' } });
  });

  it('key-unavailable when the published PEM is unusable', async () => {
    const keys = tableKeyFetcher(new Map([[ALICE_KEY_ID, { ...aliceKey, publicKeyPem: 'not a key' }]]));
    const { reason } = await refusal(signedPost(), NOW, keys);
    expect(reason).toMatchObject({ type: 'key-unavailable', cause: { type: 'unusable-key' } });
  });

  it('malformed-signature when a signed header is absent from the request', async () => {
    const request = signOver({ ...unsignedPost(), headers: { ...unsignedPost().headers, 'x-extra': '1' } }, ['(request-target)', 'host', 'date', 'digest', 'x-extra']);
    const { 'x-extra': _extra, ...headers } = request.headers as Record<string, string>;
    const { reason, calls } = await refusal({ ...request, headers });
    expect(reason).toEqual({ type: 'malformed-signature', detail: 'x-extra is signed but absent from the request' });
    expect(calls).toEqual([]);
  });

  it('refuses RFC 9421 signatures explicitly rather than misreading them', async () => {
    const request = { ...unsignedPost(), headers: { ...unsignedPost().headers, 'signature-input': 'sig1=("@method");keyid="k"', signature: 'sig1=:AAAA:' } };
    expect((await refusal(request)).reason).toMatchObject({ type: 'malformed-signature', detail: expect.stringContaining('RFC 9421') });
  });
});
