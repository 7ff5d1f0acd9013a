// The signature layer against real traffic: Mastodon's signed inbox POST from PeerTube's test
// fixtures, PeerTube's own test keys, and requests captured between two PeerTube 6.3 instances.
import { describe, expect, it } from 'vitest';
import {
  parseSignatureHeader,
  signRequest,
  verifyRequestSignature,
  type IncomingRequestDescription,
  type PublicKeyRecord,
} from '../../../src/federation/signatures/index.js';
import { capturedRequests, railsJson, readReference, realActorKeys, tableKeyFetcher } from './reference-fixtures.js';

interface MastodonCapture {
  headers: Record<string, string>;
  body: unknown;
}

const RONAN2 = 'http://localhost:3000/users/ronan2';
const RONAN2_KEY_ID = `${RONAN2}#main-key`;

function mastodonKey(file: 'public-key.json' | 'bad-public-key.json'): PublicKeyRecord {
  return { id: RONAN2_KEY_ID, owner: RONAN2, publicKeyPem: readReference<{ publicKey: string }>(`ap-json/mastodon/${file}`).publicKey };
}

/** PeerTube's test replays these on POST /accounts/ronan/inbox; the body is Rails-serialised JSON. */
function mastodonRequest(file: string): { request: IncomingRequestDescription; now: Date } {
  const capture = readReference<MastodonCapture>(`ap-json/mastodon/${file}`);
  return {
    request: { method: 'POST', path: '/accounts/ronan/inbox', headers: capture.headers, body: railsJson(capture.body) },
    now: new Date(capture.headers.date as string),
  };
}

describe('Mastodon fixtures (ap-json/mastodon)', () => {
  it('http-signature.json verifies with public-key.json, Digest included', async () => {
    const { request, now } = mastodonRequest('http-signature.json');
    const keys = tableKeyFetcher(new Map([[RONAN2_KEY_ID, mastodonKey('public-key.json')]]));
    const result = await verifyRequestSignature({ request, now, fetchPublicKey: keys });
    expect(result).toMatchObject({
      ok: true,
      keyId: RONAN2_KEY_ID,
      owner: RONAN2,
      signedHeaders: ['(request-target)', 'host', 'date', 'digest', 'content-type'],
    });
  });

  it('http-signature.json fails with bad-public-key.json', async () => {
    const { request, now } = mastodonRequest('http-signature.json');
    const keys = tableKeyFetcher(new Map([[RONAN2_KEY_ID, mastodonKey('bad-public-key.json')]]));
    expect(await verifyRequestSignature({ request, now, fetchPublicKey: keys })).toMatchObject({ ok: false, reason: { type: 'bad-signature' } });
  });

  it('bad-http-signature.json (one character of the signature changed) fails', async () => {
    const { request, now } = mastodonRequest('bad-http-signature.json');
    const keys = tableKeyFetcher(new Map([[RONAN2_KEY_ID, mastodonKey('public-key.json')]]));
    expect(await verifyRequestSignature({ request, now, fetchPublicKey: keys })).toMatchObject({ ok: false, reason: { type: 'bad-signature' } });
  });

  it('bad-body-http-signature.json is byte-identical to http-signature.json; its body altered fails on the Digest', async () => {
    const good = readReference<MastodonCapture>('ap-json/mastodon/http-signature.json');
    const badBody = readReference<MastodonCapture>('ap-json/mastodon/bad-body-http-signature.json');
    expect(badBody).toEqual(good);

    const { request, now } = mastodonRequest('bad-body-http-signature.json');
    const keys = tableKeyFetcher(new Map([[RONAN2_KEY_ID, mastodonKey('public-key.json')]]));
    const altered = { ...request, body: (request.body as string).replace('zergzerg', 'zerg') };
    expect(await verifyRequestSignature({ request: altered, now, fetchPublicKey: keys })).toMatchObject({
      ok: false,
      reason: { type: 'digest-mismatch' },
    });
    expect(keys.calls).toEqual([]);
  });

  it('the same request is refused today (2018 Date): date-out-of-window', async () => {
    const { request } = mastodonRequest('http-signature.json');
    const keys = tableKeyFetcher(new Map([[RONAN2_KEY_ID, mastodonKey('public-key.json')]]));
    expect(await verifyRequestSignature({ request, now: new Date('2026-11-22T19:11:19Z'), fetchPublicKey: keys })).toMatchObject({
      ok: false,
      reason: { type: 'date-out-of-window' },
    });
  });
});

describe("PeerTube's test keys (ap-json/peertube)", () => {
  const keys = readReference<{ publicKey: string; privateKey: string }>('ap-json/peertube/keys.json');
  const invalid = readReference<{ publicKey: string; privateKey: string }>('ap-json/peertube/invalid-keys.json');
  const ACTOR = 'http://localhost:9002/accounts/peertube';
  const now = new Date('2026-11-22T19:11:19Z');
  const body = JSON.stringify(readReference('ap-json/peertube/announce-without-context.json'));

  function signedWith(privateKeyPem: string): IncomingRequestDescription {
    const headers = signRequest({ method: 'POST', url: 'http://localhost:9000/inbox', body, keyId: ACTOR, privateKeyPem, now });
    return { method: 'POST', path: '/inbox', headers, body };
  }

  it('keys.json: a request signed with its (PKCS#1) private key verifies with its public key', async () => {
    const fetch = tableKeyFetcher(new Map([[ACTOR, { id: ACTOR, owner: ACTOR, publicKeyPem: keys.publicKey }]]));
    expect(await verifyRequestSignature({ request: signedWith(keys.privateKey), now, fetchPublicKey: fetch })).toMatchObject({ ok: true, owner: ACTOR });
  });

  it('invalid-keys.json: its public key does not match the private key, so nothing verifies', async () => {
    const fetch = tableKeyFetcher(new Map([[ACTOR, { id: ACTOR, owner: ACTOR, publicKeyPem: invalid.publicKey }]]));
    for (const privateKeyPem of [keys.privateKey, invalid.privateKey]) {
      expect(await verifyRequestSignature({ request: signedWith(privateKeyPem), now, fetchPublicKey: fetch })).toMatchObject({
        ok: false,
        reason: { type: 'bad-signature' },
      });
    }
  });
});

describe('requests captured between two PeerTube 6.3 instances (real/http-requests-captured-phase1.json)', () => {
  const signed = capturedRequests().filter((request) => request.headers.signature !== undefined);
  const keys = realActorKeys();

  it('holds signed GETs and POSTs with the header sets PeerTube uses', () => {
    const gets = signed.filter((r) => r.method === 'GET');
    const posts = signed.filter((r) => r.method === 'POST');
    expect(gets.length).toBeGreaterThan(20);
    expect(posts).toHaveLength(3);
    for (const r of gets) {
      expect(parseSignatureHeader(r.headers.signature as string)).toMatchObject({ ok: true, params: { headers: ['(request-target)', 'host', 'date'] } });
    }
    for (const r of posts) {
      expect(parseSignatureHeader(r.headers.signature as string)).toMatchObject({ ok: true, params: { headers: ['(request-target)', 'host', 'date', 'digest'] } });
    }
  });

  it('every signed request verifies against the sending actor key, with the capture date as now', async () => {
    for (const r of signed) {
      const result = await verifyRequestSignature({
        request: { method: r.method, path: r.path, headers: r.headers, body: r.body },
        now: new Date(r.headers.date as string),
        fetchPublicKey: tableKeyFetcher(keys),
      });
      expect(result, `${r.method} ${r.path}`).toMatchObject({ ok: true });
      const expectedOwner = r.toPort === 9000 ? 'http://localhost:9001/accounts/peertube' : 'http://localhost:9000/accounts/peertube';
      expect(result.ok && result.owner).toBe(expectedOwner);
    }
  });

  it('PeerTube signs (request-target) without the query string: accepted, and reported as querySigned: false', async () => {
    const paged = signed.find((r) => r.path.endsWith('/announces?page=1'));
    if (!paged) throw new Error('no paged GET in the capture');
    const result = await verifyRequestSignature({
      request: { method: paged.method, path: paged.path, headers: paged.headers },
      now: new Date(paged.headers.date as string),
      fetchPublicKey: tableKeyFetcher(keys),
    });
    expect(result).toMatchObject({ ok: true, querySigned: false });
    const plain = signed.find((r) => !r.path.includes('?'));
    if (!plain) throw new Error('no plain GET in the capture');
    const plainResult = await verifyRequestSignature({
      request: { method: plain.method, path: plain.path, headers: plain.headers },
      now: new Date(plain.headers.date as string),
      fetchPublicKey: tableKeyFetcher(keys),
    });
    expect(plainResult).toMatchObject({ ok: true, querySigned: true });
  });

  it('a captured POST fails when replayed 13 hours later, or with its body or path changed', async () => {
    const post = signed.find((r) => r.method === 'POST');
    if (!post) throw new Error('no POST in the capture');
    const now = new Date(post.headers.date as string);
    const verify = (request: IncomingRequestDescription, at = now) => verifyRequestSignature({ request, now: at, fetchPublicKey: tableKeyFetcher(keys) });
    const request = { method: post.method, path: post.path, headers: post.headers, body: post.body };

    expect(await verify(request, new Date(now.getTime() + 13 * 3600_000))).toMatchObject({ ok: false, reason: { type: 'date-out-of-window' } });
    expect(await verify({ ...request, body: post.body.replace('"cc":[]', '"cc":["x"]') })).toMatchObject({ ok: false, reason: { type: 'digest-mismatch' } });
    expect(await verify({ ...request, path: '/accounts/root/inbox' })).toMatchObject({ ok: false, reason: { type: 'bad-signature' } });
  });

  it('a captured GET fails when verified against another actor key', async () => {
    const get = signed.find((r) => r.method === 'GET' && r.toPort === 9000);
    if (!get) throw new Error('no GET in the capture');
    const wrongKey = keys.get('http://localhost:9000/accounts/root') as PublicKeyRecord;
    const fetch = tableKeyFetcher(new Map([['http://localhost:9001/accounts/peertube', wrongKey]]));
    const result = await verifyRequestSignature({
      request: { method: get.method, path: get.path, headers: get.headers },
      now: new Date(get.headers.date as string),
      fetchPublicKey: fetch,
    });
    expect(result).toMatchObject({ ok: false, reason: { type: 'bad-signature' } });
  });
});
