import { describe, expect, it } from 'vitest';
import { checkActivityOrigin } from '../../../src/federation/signatures/index.js';
import { readReference } from './reference-fixtures.js';

const MIRROR = 'http://localhost:9001/accounts/peertube';

describe('checkActivityOrigin', () => {
  const cacheFile = readReference('real/activity-Create-CacheFile-hls-received-by-a.json');

  it('accepts the real CacheFile when the HTTP signer is its actor', () => {
    expect(checkActivityOrigin({ activity: cacheFile, signerOwner: MIRROR })).toEqual({ ok: true, actor: MIRROR, forwarded: false });
  });

  it('refuses another signer unless the activity carries a valid LD signature by its actor', () => {
    const relay = 'http://localhost:9000/accounts/peertube';
    expect(checkActivityOrigin({ activity: cacheFile, signerOwner: relay })).toEqual({
      ok: false,
      reason: { type: 'actor-not-signer', actor: MIRROR, signer: relay, ldSignature: 'absent' },
    });
    expect(checkActivityOrigin({ activity: cacheFile, signerOwner: relay, ldSignatureResult: { ok: false, reason: { type: 'ld-signature-invalid' } } })).toMatchObject({
      ok: false,
      reason: { type: 'actor-not-signer', ldSignature: 'invalid' },
    });
    expect(checkActivityOrigin({ activity: cacheFile, signerOwner: relay, ldSignatureResult: { ok: true, owner: relay } })).toMatchObject({
      ok: false,
      reason: { type: 'actor-not-signer', ldSignature: 'other-signer' },
    });
    expect(checkActivityOrigin({ activity: cacheFile, signerOwner: relay, ldSignatureResult: { ok: true, owner: MIRROR } })).toEqual({
      ok: true,
      actor: MIRROR,
      forwarded: true,
    });
  });

  const A = 'https://a.example/accounts/alice';
  it.each([
    ['id on another host', { id: 'https://b.example/activities/1', actor: A }, 'id-origin-mismatch'],
    ['id on another port', { id: 'https://a.example:8443/activities/1', actor: A }, 'id-origin-mismatch'],
    ['embedded object from another host', { id: 'https://a.example/activities/1', actor: A, object: { id: 'https://b.example/notes/1' } }, 'object-origin-mismatch'],
    ['one of several embedded objects foreign', { actor: A, object: [{ id: 'https://a.example/n/1' }, { id: 'https://b.example/n/2' }] }, 'object-origin-mismatch'],
    ['actor given as an object', { actor: { id: 'https://b.example/accounts/bob' } }, 'actor-not-signer'],
    ['no actor', { id: 'https://a.example/activities/1' }, 'activity-malformed'],
    ['actor not a URL', { actor: 'alice' }, 'activity-malformed'],
    ['id not a string', { id: 5, actor: A }, 'activity-malformed'],
  ])('refuses: %s', (_label, activity, type) => {
    expect(checkActivityOrigin({ activity, signerOwner: A })).toMatchObject({ ok: false, reason: { type } });
  });

  it.each([
    ['object referenced by URL on another host', { id: 'https://a.example/likes/1', type: 'Like', actor: A, object: 'https://b.example/videos/watch/1' }],
    ['embedded object without id', { id: 'https://a.example/c/1', actor: A, object: { type: 'Note', content: 'x' } }],
    ['no activity id', { type: 'View', actor: A, object: 'https://b.example/v/1' }],
  ])('accepts: %s', (_label, activity) => {
    expect(checkActivityOrigin({ activity, signerOwner: A })).toMatchObject({ ok: true });
  });
});
