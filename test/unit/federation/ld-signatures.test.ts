import { createPrivateKey, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalizeJsonLd,
  generateActorKeyPair,
  readLdSignature,
  signJsonLd,
  verifyJsonLd,
  type ActorKeyPair,
} from '../../../src/federation/signatures/index.js';
import { readReference } from './reference-fixtures.js';

type Json = Record<string, unknown>;

const AS = 'https://www.w3.org/ns/activitystreams';
const SEC = 'https://w3id.org/security/v1';
const NOW = new Date('2026-11-22T19:13:36.255Z');
const ALICE = 'https://a.example/accounts/alice';

const peertube9001Key = readReference<{ publicKey: { publicKeyPem: string } }>('real/actor-instance-peertube-9001.json').publicKey.publicKeyPem;
const peertube9000Key = readReference<{ publicKey: { publicKeyPem: string } }>('real/actor-instance-peertube-9000.json').publicKey.publicKeyPem;
const mastodonKey = readReference<{ publicKey: string }>('ap-json/mastodon/public-key.json').publicKey;
const mastodonBadKey = readReference<{ publicKey: string }>('ap-json/mastodon/bad-public-key.json').publicKey;

let alice: ActorKeyPair;
beforeAll(async () => {
  alice = await generateActorKeyPair();
});

function note(extra: Json = {}): Json {
  return {
    '@context': [AS, SEC],
    id: `${ALICE}/notes/1/activity`,
    type: 'Create',
    actor: ALICE,
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    object: { id: `${ALICE}/notes/1`, type: 'Note', content: 'hello', attributedTo: ALICE },
    ...extra,
  };
}

describe('real PeerTube 6.3 RsaSignature2017 (activity-Create-CacheFile-*-received-by-a.json)', () => {
  const hls = readReference<Json>('real/activity-Create-CacheFile-hls-received-by-a.json');
  const webVideo = readReference<Json>('real/activity-Create-CacheFile-webvideo-received-by-a.json');

  it('the HLS CacheFile verifies against the sending instance actor key', async () => {
    expect(await verifyJsonLd(hls, peertube9001Key)).toEqual({
      ok: true,
      creator: 'http://localhost:9001/accounts/peertube',
      created: '2026-11-22T19:13:36.255Z',
      unsignedTerms: [],
    });
  });

  it('the web-video CacheFile verifies too', async () => {
    expect(await verifyJsonLd(webVideo, peertube9001Key)).toMatchObject({ ok: true });
  });

  it('fails after a one-character change of the document', async () => {
    const altered = structuredClone(hls) as { object: { url: { href: string } } };
    altered.object.url.href = altered.object.url.href.replace('9001', '9002');
    expect(await verifyJsonLd(altered, peertube9001Key)).toMatchObject({ ok: false, reason: { type: 'ld-signature-invalid' } });

    const laterExpiry = structuredClone(hls) as { object: { expires: string } };
    laterExpiry.object.expires = laterExpiry.object.expires.replace('2026-11-22T19:23', '2026-11-22T19:24');
    expect(await verifyJsonLd(laterExpiry, peertube9001Key)).toMatchObject({ ok: false, reason: { type: 'ld-signature-invalid' } });
  });

  it('fails after a one-character change of the signature options or value', async () => {
    const created = structuredClone(hls) as { signature: { created: string } };
    created.signature.created = created.signature.created.replace('36.255', '36.256');
    expect(await verifyJsonLd(created, peertube9001Key)).toMatchObject({ ok: false, reason: { type: 'ld-signature-invalid' } });

    const value = structuredClone(hls) as { signature: { signatureValue: string } };
    value.signature.signatureValue = `N${value.signature.signatureValue.slice(1)}`;
    expect(await verifyJsonLd(value, peertube9001Key)).toMatchObject({ ok: false, reason: { type: 'ld-signature-invalid' } });
  });

  it('fails against another actor key', async () => {
    expect(await verifyJsonLd(hls, peertube9000Key)).toMatchObject({ ok: false, reason: { type: 'ld-signature-invalid' } });
  });

  it('ignores a @context slipped into the signature block (the options context is ours)', async () => {
    const injected = structuredClone(hls) as { signature: Json };
    injected.signature['@context'] = 'https://attacker.example/context';
    expect(await verifyJsonLd(injected, peertube9001Key)).toMatchObject({ ok: true });
  });
});

describe('Mastodon fixtures (ap-json/mastodon/create*.json)', () => {
  it('create.json verifies with public-key.json (identity/v1 options hash equal to security/v1)', async () => {
    expect(await verifyJsonLd(readReference('ap-json/mastodon/create.json'), mastodonKey)).toMatchObject({
      ok: true,
      creator: 'http://localhost:3000/users/ronan2#main-key',
    });
  });

  it('create-bad-signature.json fails', async () => {
    expect(await verifyJsonLd(readReference('ap-json/mastodon/create-bad-signature.json'), mastodonKey)).toMatchObject({
      ok: false,
      reason: { type: 'ld-signature-invalid' },
    });
  });

  it('create.json fails with bad-public-key.json', async () => {
    expect(await verifyJsonLd(readReference('ap-json/mastodon/create.json'), mastodonBadKey)).toMatchObject({
      ok: false,
      reason: { type: 'ld-signature-invalid' },
    });
  });

  it('the body of http-signature.json carries a valid LD signature too', async () => {
    const { body } = readReference<{ body: Json }>('ap-json/mastodon/http-signature.json');
    expect(await verifyJsonLd(body, mastodonKey)).toMatchObject({ ok: true });
  });
});

describe('PeerTube test keys with announce-without-context.json (ap-json/peertube)', () => {
  const keys = readReference<{ publicKey: string; privateKey: string }>('ap-json/peertube/keys.json');
  const invalid = readReference<{ publicKey: string }>('ap-json/peertube/invalid-keys.json');
  const announce = readReference<Json>('ap-json/peertube/announce-without-context.json');
  const creator = 'http://localhost:9002/accounts/peertube';

  it('signed once contextified, it verifies with keys.json and not with invalid-keys.json', async () => {
    const signed = await signJsonLd({ '@context': [AS, SEC], ...announce }, { creator, privateKeyPem: keys.privateKey, now: NOW });
    expect(await verifyJsonLd(signed, keys.publicKey)).toMatchObject({ ok: true, creator });
    expect(await verifyJsonLd(signed, invalid.publicKey)).toMatchObject({ ok: false, reason: { type: 'ld-signature-invalid' } });
  });

  it('without @context there is no linked data to sign: signing throws, verifying refuses', async () => {
    await expect(signJsonLd(announce, { creator, privateKeyPem: keys.privateKey, now: NOW })).rejects.toThrow(/no linked data/);
    const forged = { ...announce, signature: { type: 'RsaSignature2017', creator, created: NOW.toISOString(), signatureValue: 'AAAA' } };
    expect(await verifyJsonLd(forged, keys.publicKey)).toMatchObject({ ok: false, reason: { type: 'ld-canonicalization-failed' } });
  });
});

describe('signJsonLd / verifyJsonLd round trip', () => {
  it('adds an RsaSignature2017 block and verifies', async () => {
    const signed = await signJsonLd(note(), { creator: `${ALICE}#main-key`, privateKeyPem: alice.privateKeyPem, now: NOW });
    expect(signed.signature).toEqual({
      type: 'RsaSignature2017',
      creator: `${ALICE}#main-key`,
      created: '2026-11-22T19:13:36.255Z',
      signatureValue: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
    });
    expect(readLdSignature(signed)).toMatchObject({ ok: true });
    expect(await verifyJsonLd(signed, alice.publicKeyPem)).toMatchObject({ ok: true, unsignedTerms: [] });
  });

  it('replaces an existing signature instead of signing over it', async () => {
    const first = await signJsonLd(note(), { creator: ALICE, privateKeyPem: alice.privateKeyPem, now: NOW });
    const second = await signJsonLd(first, { creator: ALICE, privateKeyPem: alice.privateKeyPem, now: new Date(NOW.getTime() + 1000) });
    expect(await verifyJsonLd(second, alice.publicKeyPem)).toMatchObject({ ok: true, created: '2026-11-22T19:13:37.255Z' });
  });

  it('fails when the body is altered after signing, also deep inside the object', async () => {
    const signed = await signJsonLd(note(), { creator: ALICE, privateKeyPem: alice.privateKeyPem, now: NOW });
    const actor = { ...signed, actor: 'https://a.example/accounts/mallory' };
    expect(await verifyJsonLd(actor, alice.publicKeyPem)).toMatchObject({ ok: false, reason: { type: 'ld-signature-invalid' } });
    const content = { ...signed, object: { ...(signed.object as Json), content: 'hellp' } };
    expect(await verifyJsonLd(content, alice.publicKeyPem)).toMatchObject({ ok: false, reason: { type: 'ld-signature-invalid' } });
  });

  it('is insensitive to JSON key order and whitespace (it signs the graph)', async () => {
    const signed = await signJsonLd(note(), { creator: ALICE, privateKeyPem: alice.privateKeyPem, now: NOW });
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(signed).reverse()), null, 2)) as Json;
    expect(await verifyJsonLd(reordered, alice.publicKeyPem)).toMatchObject({ ok: true });
  });

  it('reports terms the signature does not cover, and can refuse them', async () => {
    const signed = await signJsonLd(note({ mood: 'calm' }), { creator: ALICE, privateKeyPem: alice.privateKeyPem, now: NOW });
    const tampered = { ...signed, mood: 'furious' };
    expect(await verifyJsonLd(tampered, alice.publicKeyPem)).toMatchObject({ ok: true, unsignedTerms: ['mood'] });
    expect(await verifyJsonLd(tampered, alice.publicKeyPem, { rejectUnsignedTerms: true })).toEqual({
      ok: false,
      reason: { type: 'ld-unsigned-terms', terms: ['mood'] },
    });
  });

  it('verifies documents canonicalised by older senders (jsonld ≤ 8 escaping of a tab)', async () => {
    const doc = note({ summary: 'tab\there' });
    const signature = { creator: ALICE, created: NOW.toISOString() };
    const [docForm, optionsForm] = await Promise.all([
      canonicalizeJsonLd(doc),
      canonicalizeJsonLd({ '@context': [SEC, { RsaSignature2017: 'https://w3id.org/security#RsaSignature2017' }], ...signature }),
    ]);
    if (!docForm.ok || !optionsForm.ok) throw new Error('canonicalisation failed');
    expect(docForm.value.nquads).toContain('tab\\there');
    const legacyDoc = docForm.value.nquads.replace('tab\\there', 'tab\there');
    const { createHash } = await import('node:crypto');
    const hex = (s: string) => createHash('sha256').update(s).digest('hex');
    const signatureValue = sign('sha256', Buffer.from(hex(optionsForm.value.nquads) + hex(legacyDoc)), createPrivateKey(alice.privateKeyPem)).toString('base64');
    const signed = { ...doc, signature: { type: 'RsaSignature2017', ...signature, signatureValue } };
    expect(await verifyJsonLd(signed, alice.publicKeyPem)).toMatchObject({ ok: true });
  });
});

describe('verifyJsonLd refusals', () => {
  it('missing-ld-signature and ld-unsupported-signature-type', async () => {
    expect(await verifyJsonLd(note(), alice.publicKeyPem)).toEqual({ ok: false, reason: { type: 'missing-ld-signature' } });
    expect(await verifyJsonLd('nope', alice.publicKeyPem)).toEqual({ ok: false, reason: { type: 'missing-ld-signature' } });
    const ed = note({ signature: { type: 'Ed25519Signature2018', creator: ALICE, created: NOW.toISOString(), jws: 'x' } });
    expect(await verifyJsonLd(ed, alice.publicKeyPem)).toMatchObject({ ok: false, reason: { type: 'ld-unsupported-signature-type' } });
    const partial = note({ signature: { type: 'RsaSignature2017', creator: ALICE } });
    expect(await verifyJsonLd(partial, alice.publicKeyPem)).toMatchObject({ ok: false, reason: { type: 'ld-signature-invalid' } });
  });

  const undo = { id: `${ALICE}/undo/1`, type: 'Undo', actor: ALICE, object: `${ALICE}/notes/1/activity` };
  it.each([
    ['@graph at top level', { '@graph': [undo] }, '@graph'],
    ['@reverse at top level', { '@reverse': { object: undo } }, '@reverse'],
    ['@included at top level', { '@included': [undo] }, '@included'],
    ['@graph inside the object', { object: { id: `${ALICE}/notes/1`, type: 'Note', '@graph': [undo] } }, '@graph'],
    ['@graph behind an alias', { '@context': [AS, SEC, { sneaky: '@graph' }], sneaky: [undo] }, '@graph'],
  ])('ld-smuggling: %s', async (_label, extra, keyword) => {
    const signed = await signJsonLd(note(), { creator: ALICE, privateKeyPem: alice.privateKeyPem, now: NOW });
    expect(await verifyJsonLd({ ...signed, ...extra }, alice.publicKeyPem)).toMatchObject({
      ok: false,
      reason: { type: 'ld-smuggling', keyword },
    });
  });

  it('signing a smuggling document is refused as a programming error', async () => {
    await expect(signJsonLd(note({ '@included': [] }), { creator: ALICE, privateKeyPem: alice.privateKeyPem, now: NOW })).rejects.toThrow(/ld-smuggling/);
  });

  describe('unknown contexts are refused and never fetched', () => {
    let server: Server;
    let hits = 0;
    let base = '';
    beforeAll(async () => {
      server = createServer((_req, res) => {
        hits++;
        res.writeHead(200, { 'content-type': 'application/ld+json' });
        res.end(JSON.stringify({ '@context': { mood: 'https://evil.example/ns#mood' } }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it.each([
      ['as a top-level context', (url: string) => ({ '@context': [AS, url] })],
      ['as a scoped context inside a term definition', (url: string) => ({ '@context': [AS, { note: { '@id': 'as:object', '@context': url } }], note: { type: 'Note' } })],
      ['in a nested object', (url: string) => ({ object: { '@context': url, id: `${ALICE}/notes/1`, type: 'Note' } })],
    ])('%s', async (_label, make) => {
      const url = `${base}/context.jsonld`;
      const doc = { ...note(), ...make(url), signature: { type: 'RsaSignature2017', creator: ALICE, created: NOW.toISOString(), signatureValue: 'AAAA' } };
      expect(await verifyJsonLd(doc, alice.publicKeyPem)).toEqual({ ok: false, reason: { type: 'ld-context-not-allowed', url } });
      expect(hits).toBe(0);
    });

    it('the bundled contexts resolve under http: and with a fragment too', async () => {
      const signed = await signJsonLd(
        { ...note(), '@context': ['http://www.w3.org/ns/activitystreams#', 'https://w3id.org/security/v1'] },
        { creator: ALICE, privateKeyPem: alice.privateKeyPem, now: NOW },
      );
      expect(await verifyJsonLd(signed, alice.publicKeyPem)).toMatchObject({ ok: true });
      expect(hits).toBe(0);
    });
  });

  it('ld-signature-invalid on an unusable public key', async () => {
    const signed = await signJsonLd(note(), { creator: ALICE, privateKeyPem: alice.privateKeyPem, now: NOW });
    expect(await verifyJsonLd(signed, 'garbage')).toEqual({ ok: false, reason: { type: 'ld-signature-invalid', detail: 'unusable public key' } });
  });

  it('ld-canonicalization-failed on invalid JSON-LD', async () => {
    const doc = { ...note(), '@context': [AS, { broken: { '@id': 42 } }], signature: { type: 'RsaSignature2017', creator: ALICE, created: 'x', signatureValue: 'AAAA' } };
    expect(await verifyJsonLd(doc, alice.publicKeyPem)).toMatchObject({ ok: false, reason: { type: 'ld-canonicalization-failed' } });
  });
});
