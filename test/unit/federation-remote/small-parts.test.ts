import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ACTIVITY_JSON_CONTENT_TYPES,
  JRD_CONTENT_TYPES,
  createNegativeCache,
  isAcceptedContentType,
  parseAccountHandle,
  parseActorDocument,
  parseGuardedJson,
  parseKeyDocument,
} from '../../../src/federation/remote/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

const REAL = PEERTUBE_REAL_DIR;
const realJson = (name: string): unknown => JSON.parse(readFileSync(`${REAL}/${name}`, 'utf8'));

describe('isAcceptedContentType', () => {
  it.each([
    ['application/activity+json', true],
    ['application/activity+json; charset=utf-8', true],
    ['Application/Activity+JSON', true],
    ['application/ld+json; profile="https://www.w3.org/ns/activitystreams"', true],
    ['application/ld+json', true],
    ['application/json; charset=utf-8', true],
    ['text/html; charset=utf-8', false],
    ['application/activity+jsonx', false],
    ['text/plain', false],
    ['', false],
    [undefined, false],
  ])('ActivityPub types: %s → %s', (header, expected) => {
    expect(isAcceptedContentType(header, ACTIVITY_JSON_CONTENT_TYPES)).toBe(expected);
  });

  it('requires the profile when the accepted entry names one', () => {
    const strict = ['application/ld+json; profile="https://www.w3.org/ns/activitystreams"'];
    expect(isAcceptedContentType('application/ld+json', strict)).toBe(false);
    expect(isAcceptedContentType('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', strict)).toBe(true);
    expect(isAcceptedContentType('application/ld+json;profile="x https://www.w3.org/ns/activitystreams"', strict)).toBe(true);
  });

  it('accepts JRD and plain JSON for WebFinger', () => {
    expect(isAcceptedContentType('application/jrd+json; charset=utf-8', JRD_CONTENT_TYPES)).toBe(true);
    expect(isAcceptedContentType('application/json; charset=utf-8', JRD_CONTENT_TYPES)).toBe(true);
    expect(isAcceptedContentType('application/activity+json', JRD_CONTENT_TYPES)).toBe(false);
  });
});

describe('parseGuardedJson', () => {
  it('parses ordinary documents, with a BOM too', () => {
    expect(parseGuardedJson('\ufeff{"a":[1,{"b":"[[[["}]}', 4)).toEqual({ ok: true, value: { a: [1, { b: '[[[[' }] } });
  });

  it('refuses nesting deeper than the limit before parsing', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseGuardedJson(deep, 32)).toMatchObject({ ok: false, reason: { type: 'bad-json', message: /deeper than 32/ } });
    expect(parseGuardedJson('[[[]]]', 3)).toMatchObject({ ok: true });
    expect(parseGuardedJson('[[[[]]]]', 3)).toMatchObject({ ok: false });
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(parseGuardedJson('{"a":"\\"[[[[[[["}', 1)).toMatchObject({ ok: true });
  });

  it('refuses malformed JSON as a value', () => {
    expect(parseGuardedJson('{"a":', 8)).toMatchObject({ ok: false, reason: { type: 'bad-json', message: /malformed JSON/ } });
  });
});

describe('createNegativeCache', () => {
  it('forgets entries after the TTL of the injected clock', () => {
    const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
    const cache = createNegativeCache<string>({ clock, ttlMs: 30_000 });
    cache.set('GET https://a.example/', 'timeout');
    clock.advance(29_999);
    expect(cache.get('GET https://a.example/')).toBe('timeout');
    clock.advance(1);
    expect(cache.get('GET https://a.example/')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const cache = createNegativeCache<number>({ clock: createManualClock(), ttlMs: 1000, maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([undefined, 2, 3, 2]);
  });

  it('is off with a TTL of 0', () => {
    const cache = createNegativeCache<number>({ clock: createManualClock(), ttlMs: 0 });
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('parseAccountHandle', () => {
  it.each([
    ['root@localhost:9000', { name: 'root', host: 'localhost:9000' }],
    ['acct:alice@Example.COM', { name: 'alice', host: 'example.com' }],
    ['@bob@videos.example', { name: 'bob', host: 'videos.example' }],
    ['root_channel@peertube.example', { name: 'root_channel', host: 'peertube.example' }],
  ])('%s', (handle, expected) => {
    expect(parseAccountHandle(handle)).toEqual(expected);
  });

  it.each(['alice', '@example.com', 'alice@', 'alice@evil.example/path', 'alice@evil.example?x', 'alice@user:pw@host', 'a b@host', 'alice@ho st'])(
    'refuses %s',
    (handle) => {
      expect(parseAccountHandle(handle)).toBeUndefined();
    },
  );
});

describe('parseActorDocument', () => {
  it('reads PeerTube 6.3 actors (instance Application, Person, Group)', () => {
    const instance = parseActorDocument(realJson('actor-instance-peertube-9000.json'));
    expect(instance).toMatchObject({
      ok: true,
      actor: {
        url: 'http://localhost:9000/accounts/peertube',
        type: 'Application',
        preferredUsername: 'peertube',
        name: 'peertube',
        summary: null,
        inboxUrl: 'http://localhost:9000/accounts/peertube/inbox',
        sharedInboxUrl: 'http://localhost:9000/inbox',
        outboxUrl: 'http://localhost:9000/accounts/peertube/outbox',
        followersUrl: 'http://localhost:9000/accounts/peertube/followers',
        followingUrl: 'http://localhost:9000/accounts/peertube/following',
        publicKeys: [{ id: 'http://localhost:9000/accounts/peertube#main-key', owner: 'http://localhost:9000/accounts/peertube' }],
      },
    });
    expect(parseActorDocument(realJson('actor-account-root-9000.json'))).toMatchObject({ ok: true, actor: { type: 'Person' } });
    expect(parseActorDocument(realJson('actor-channel-root_channel-9000.json'))).toMatchObject({ ok: true, actor: { type: 'Group' } });
  });

  it('refuses documents that are not actors, naming the field', () => {
    expect(parseActorDocument({ id: 'https://a.example/v/1', type: 'Video' })).toMatchObject({ ok: false, message: /type/ });
    expect(
      parseActorDocument({ id: 'https://a.example/a', type: 'Person', preferredUsername: 'a', inbox: 'javascript:alert(1)' }),
    ).toMatchObject({ ok: false, message: /inbox/ });
    expect(parseActorDocument('nope')).toMatchObject({ ok: false });
  });

  it('reads key documents', () => {
    expect(parseKeyDocument({ id: 'https://a.example/a/main-key', owner: 'https://a.example/a', publicKeyPem: 'PEM', type: 'Key' })).toMatchObject({ ok: true });
    expect(parseKeyDocument({ id: 'https://a.example/a/main-key', owner: 'https://a.example/a' })).toMatchObject({ ok: false });
  });
});
