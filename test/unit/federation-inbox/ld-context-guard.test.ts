import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkLdContexts, withoutUnsignedTerms } from '../../../src/federation/inbox/ld-context-guard.js';
import { contextFor } from '../../../src/federation/vocab/context.js';
import { generateActorKeyPair, signJsonLd, verifyJsonLd, type ActorKeyPair } from '../../../src/federation/signatures/index.js';
import { likeToSign, likeTricks, undoLikeToSign, undoTrick } from '../../support/ld-tricks.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

const ACTOR = 'https://b.example/accounts/bob';
const LIKED = 'https://a.example/videos/watch/11111111-1111-4111-8111-111111111111';
const OTHER = 'https://a.example/videos/watch/22222222-2222-4222-8222-222222222222';
const NOW = new Date('2026-12-07T12:00:00Z');

let key: ActorKeyPair;
beforeAll(async () => {
  key = await generateActorKeyPair();
});

const sign = (doc: Record<string, unknown>) => signJsonLd(doc, { creator: ACTOR, privateKeyPem: key.privateKeyPem, now: NOW });

describe('LD signatures bind the meaning: rewritten contexts are refused', () => {
  it('each trick keeps the signature valid, and the guard refuses it', async () => {
    const like = likeToSign({ id: `${ACTOR}/likes/1`, actor: ACTOR, liked: LIKED, other: OTHER });
    const signed = await sign(like);
    expect(checkLdContexts(signed)).toBeUndefined();
    const undo = await sign(undoLikeToSign({ id: `${ACTOR}/likes/1/undo`, actor: ACTOR, like }));
    expect(checkLdContexts(undo)).toBeUndefined();
    const tricks = [...likeTricks(signed), undoTrick(undo)];
    for (const trick of tricks) {
      // the precondition: the rewriting is invisible to the signature
      const verified = await verifyJsonLd(trick.doc, key.publicKeyPem);
      expect(verified.ok, `${trick.name}: ${JSON.stringify(verified)}`).toBe(true);
      expect(checkLdContexts(trick.doc), trick.name).toMatchObject({ type: 'ld-context-not-allowed' });
    }
  });

  it('refuses JSON-LD keywords as keys, unknown context URLs and context resets', () => {
    const base = { '@context': ['https://www.w3.org/ns/activitystreams'], id: `${ACTOR}/likes/2`, type: 'Like', actor: ACTOR };
    expect(checkLdContexts({ ...base, '@type': 'Like' })?.detail).toMatch(/@type/);
    expect(checkLdContexts({ ...base, '@nest': { object: OTHER } })?.detail).toMatch(/@nest/);
    expect(checkLdContexts({ ...base, '@context': ['https://evil.example/context'] })?.detail).toMatch(/unknown context/);
    expect(checkLdContexts({ ...base, '@context': [null, 'https://www.w3.org/ns/activitystreams'] })?.detail).toMatch(/context reset/);
    expect(checkLdContexts({ ...base, '@context': ['https://www.w3.org/ns/activitystreams', { sensitive: 'as:summary' }] })?.detail).toMatch(/sensitive/);
  });

  it('passes every activity and document real PeerTube sent (all its inline terms)', () => {
    const docs: { name: string; doc: unknown }[] = [];
    for (const line of readFileSync(join(PEERTUBE_REAL_DIR, 'session-2', 'to-mirrortube.jsonl'), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as { seq: number; method: string; requestBody: string };
      if (entry.method === 'POST' && entry.requestBody.startsWith('{')) docs.push({ name: `session-2 seq ${entry.seq}`, doc: JSON.parse(entry.requestBody) });
    }
    for (const dir of [PEERTUBE_REAL_DIR, join(PEERTUBE_REAL_DIR, 'session-2')]) {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) docs.push({ name: file, doc: JSON.parse(readFileSync(join(dir, file), 'utf8')) });
    }
    expect(docs.length).toBeGreaterThan(50);
    for (const { name, doc } of docs) expect(checkLdContexts(doc), name).toBeUndefined();
  });

  it("every activity of session 2 would reach handlers unchanged if forwarded: LD signature valid, no unsigned term, contexts known", async () => {
    const dir = join(PEERTUBE_REAL_DIR, 'session-2');
    const keys = new Map<string, string>();
    for (const f of ['pt-actor-instance-peertube.json', 'pt-actor-account-root.json', 'pt-actor-channel-root_channel.json']) {
      const actor = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { id: string; publicKey: { publicKeyPem: string } };
      keys.set(actor.id, actor.publicKey.publicKeyPem);
    }
    let checked = 0;
    for (const line of readFileSync(join(dir, 'to-mirrortube.jsonl'), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as { seq: number; method: string; url: string; requestBody: string };
      if (entry.method !== 'POST' || !entry.url.endsWith('inbox')) continue;
      const doc = JSON.parse(entry.requestBody) as { signature: { creator: string } };
      const verified = await verifyJsonLd(doc, keys.get(doc.signature.creator)!);
      expect(verified, `seq ${entry.seq}`).toMatchObject({ ok: true, unsignedTerms: [] });
      expect(checkLdContexts(doc), `seq ${entry.seq}`).toBeUndefined();
      checked++;
    }
    expect(checked).toBe(33);
  });

  it('passes the contexts we send ourselves (a mirrortube activity forwarded by another)', () => {
    const kinds = ['Video', 'CacheFile', 'Actor', 'View', 'Comment', 'ApproveReply', 'RejectReply', 'Chapters', 'Collection', 'Follow', 'Accept', 'Reject', 'Announce', 'Delete', 'Rate'] as const;
    for (const kind of kinds) expect(checkLdContexts({ '@context': contextFor(kind), type: 'Note' }), kind).toBeUndefined();
  });

  it('drops the terms a signature does not cover, at any depth, and keeps a __proto__ key a plain key', () => {
    const doc = JSON.parse('{"type":"Like","foo":1,"object":{"id":"x","foo":2,"__proto__":{"polluted":true}},"signature":{"foo":3}}') as Record<string, unknown>;
    const stripped = withoutUnsignedTerms(doc, ['foo']);
    expect(JSON.parse(JSON.stringify(stripped))).toEqual({ type: 'Like', object: { id: 'x', ['__proto__']: { polluted: true } }, signature: { foo: 3 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(withoutUnsignedTerms(doc, [])).toBe(doc);
  });
});
