import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSigningString, computeDigest, formatSignatureHeader, signJsonLd, signRequest } from '../../../src/federation/signatures/index.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { waitFor } from '../../support/ports.js';

/**
 * Each forged or malformed inbound request is refused with the reason and leaves nothing stored.
 * The sender is a real instance (its actors and keys are served over HTTP, as a remote's are).
 */
describe('inbound ActivityPub checks', () => {
  let receiver: TestInstance;
  let guarded: TestInstance;
  let sender: TestInstance;
  let instanceActor: { url: string; keyId: string; privateKeyPem: string };
  let rootActor: { url: string; keyId: string; privateKeyPem: string };

  beforeAll(async () => {
    [receiver, sender, guarded] = await Promise.all([
      startTestInstance({ db: 'embedded' }),
      startTestInstance({ db: 'embedded' }),
      startTestInstance({ db: 'embedded', overrides: { federation: { allow_private_addresses: false } } }),
    ]);
    const load = async (name: string) => {
      const a = await sender.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: name, host: null } });
      return { url: a.url, keyId: a.keyId!, privateKeyPem: a.privateKeyPem! };
    };
    instanceActor = await load('peertube');
    rootActor = await load('root');
  });
  afterAll(async () => {
    await Promise.all([receiver, sender, guarded].filter(Boolean).map((i) => i.stop()));
  });

  let counter = 0;
  const followActivity = (actor = instanceActor.url) => ({
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id: `${actor}/follows/test-${++counter}`,
    type: 'Follow',
    actor,
    object: `${receiver.url}/accounts/peertube`,
  });

  interface PostOptions {
    key?: { keyId: string; privateKeyPem: string };
    headers?: string[];
    now?: Date;
    alterBody?: (body: string) => string;
    digest?: string;
    unsigned?: boolean;
    target?: TestInstance;
  }

  async function post(activity: object, o: PostOptions = {}): Promise<Response> {
    const target = o.target ?? receiver;
    const url = `${target.url}/inbox`;
    const body = JSON.stringify(activity);
    const key = o.key ?? instanceActor;
    const signed = signRequest({ method: 'POST', url, body, keyId: key.keyId, privateKeyPem: key.privateKeyPem, now: o.now ?? new Date() });
    const headers: Record<string, string> = { 'content-type': 'application/activity+json' };
    if (!o.unsigned) Object.assign(headers, { date: signed.Date, digest: o.digest ?? signed.Digest ?? computeDigest(body), signature: signed.Signature });
    if (o.headers) {
      // a signature over only some of the required headers
      const path = new URL(url).pathname;
      const str = buildSigningString({ method: 'POST', path, headers: { ...headers, host: new URL(url).host }, signedHeaders: o.headers });
      if (!str.ok) throw new Error('cannot build the signing string');
      const value = sign('sha256', Buffer.from(str.value), key.privateKeyPem);
      headers.signature = formatSignatureHeader({ keyId: key.keyId, algorithm: 'rsa-sha256', headers: o.headers, signature: value.toString('base64') });
    }
    return fetch(url, { method: 'POST', headers, body: o.alterBody ? o.alterBody(body) : body });
  }

  const stored = (t: TestInstance = receiver) => t.instance.prisma.inboxActivity.count();

  async function expectRefused(res: Response, status: number, pattern: RegExp) {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((JSON.parse(text) as { detail: string }).detail).toMatch(pattern);
  }

  it('accepts a correctly signed activity (the control case) and deduplicates a repeat', async () => {
    const activity = followActivity();
    expect((await post(activity)).status).toBe(204);
    expect((await post(activity)).status).toBe(204);
    expect(await receiver.instance.prisma.inboxActivity.count({ where: { activityId: activity.id } })).toBe(1);
  });

  it('refuses each forged or malformed request, storing nothing', async () => {
    const before = await stored();
    await expectRefused(await post(followActivity(), { unsigned: true }), 401, /missing-signature/);
    await expectRefused(await post(followActivity(), { digest: computeDigest('something else') }), 403, /digest-mismatch/);
    await expectRefused(await post(followActivity(), { now: new Date(Date.now() - 2 * 3600_000) }), 403, /date-out-of-window/);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    await expectRefused(await post(followActivity(), { key: { keyId: instanceActor.keyId, privateKeyPem: privateKey } }), 403, /bad-signature/);
    await expectRefused(await post(followActivity(), { alterBody: (b) => b.replace('Follow', 'Follow ') }), 403, /digest-mismatch/);
    await expectRefused(await post(followActivity(), { alterBody: (b) => b.replace('"Follow"', '"Like"') }), 403, /digest-mismatch/);
    expect(await stored()).toBe(before);
  });

  it.each([['(request-target)'], ['host'], ['date'], ['digest']])('refuses a signature that does not cover %s', async (missing) => {
    const before = await stored();
    const headers = ['(request-target)', 'host', 'date', 'digest'].filter((h) => h !== missing);
    await expectRefused(await post(followActivity(), { headers }), 403, /missing-signed-header/);
    expect(await stored()).toBe(before);
  });

  it('refuses an actor other than the signer without a valid LD signature, and an LD-signed body altered', async () => {
    const before = await stored();
    // signed at the HTTP level by the instance actor, but claiming to come from root
    await expectRefused(await post(followActivity(rootActor.url)), 403, /actor-not-signer/);
    // LD-signed by root (a forwarded activity), then altered
    const ldSigned = await signJsonLd(followActivity(rootActor.url), { creator: rootActor.keyId, privateKeyPem: rootActor.privateKeyPem, now: new Date() });
    const altered = { ...ldSigned, object: `${receiver.url}/accounts/root` };
    await expectRefused(await post(altered), 403, /actor-not-signer/);
    expect(await stored()).toBe(before);
    // unaltered, the forwarded activity is accepted on its LD signature
    expect((await post(ldSigned)).status).toBe(204);
  });

  it('refuses an object whose id is on another host than its actor', async () => {
    const before = await stored();
    const activity = {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${instanceActor.url}/create/1`,
      type: 'Create',
      actor: instanceActor.url,
      object: { id: `${receiver.url}/videos/watch/00000000-0000-4000-8000-000000000000`, type: 'Video', name: 'not yours' },
    };
    await expectRefused(await post(activity), 403, /object-origin-mismatch/);
    expect(await stored()).toBe(before);
  });

  it('refuses a keyId on a private address when the guard is on', async () => {
    const before = await stored(guarded);
    await expectRefused(await post(followActivity(), { target: guarded }), 403, /key-unavailable/);
    expect(await stored(guarded)).toBe(before);
  });

  it('refuses wrong content types, oversized and malformed bodies', async () => {
    const bad = await fetch(`${receiver.url}/inbox`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(bad.status).toBe(415);
    const huge = await fetch(`${receiver.url}/inbox`, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    const malformed = await fetch(`${receiver.url}/inbox`, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: '{"type": ' });
    expect(malformed.status).toBe(400);
  });

  it('caps inbound collections, and skips unknown activity types after storing them', async () => {
    const before = await stored();
    const items = Array.from({ length: 101 }, (_, i) => ({ ...followActivity(), id: `${instanceActor.url}/bulk/${i}` }));
    const collection = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${instanceActor.url}/bulk`, type: 'OrderedCollection', orderedItems: items };
    await expectRefused(await post(collection), 400, /at most 100/);
    expect(await stored()).toBe(before);

    const flag = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${instanceActor.url}/flags/1`, type: 'Flag', actor: instanceActor.url, object: `${receiver.url}/accounts/root` };
    expect((await post(flag)).status).toBe(204);
    const row = await waitFor('the Flag to be handled', async () => {
      const r = await receiver.instance.prisma.inboxActivity.findFirst({ where: { activityId: flag.id } });
      return r && r.state !== 'pending' ? r : undefined;
    });
    expect(row).toMatchObject({ state: 'skipped', error: 'type Flag is not handled' });
  });
});
