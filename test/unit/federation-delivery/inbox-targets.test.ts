import { describe, expect, it } from 'vitest';
import { hostOfInbox, inboxesOf, planInboxes } from '../../../src/federation/delivery/index.js';

describe('inboxesOf', () => {
  it('prefers shared inboxes, falls back to the actor inbox, drops local actors and duplicates', () => {
    expect(
      inboxesOf([
        { host: 'a.example', inboxUrl: 'https://a.example/accounts/x/inbox', sharedInboxUrl: 'https://a.example/inbox' },
        { host: 'a.example', inboxUrl: 'https://a.example/accounts/y/inbox', sharedInboxUrl: 'https://a.example/inbox' },
        { host: 'b.example', inboxUrl: 'https://b.example/users/z/inbox', sharedInboxUrl: null },
        { host: 'c.example', inboxUrl: 'https://c.example/u/w/inbox' },
        { host: null, inboxUrl: 'https://us.example/accounts/me/inbox', sharedInboxUrl: 'https://us.example/inbox' },
      ]),
    ).toEqual(['https://a.example/inbox', 'https://b.example/users/z/inbox', 'https://c.example/u/w/inbox']);
  });
});

describe('planInboxes', () => {
  it('normalises, deduplicates and keeps the order', () => {
    const plan = planInboxes(
      ['https://A.example/inbox', 'https://a.example/inbox#x', 'https://a.example:443/inbox', 'https://a.example/accounts/u/inbox', 'http://b.example:8080/inbox'],
      {},
    );
    expect(plan.targets).toEqual([
      { inbox: 'https://a.example/inbox', host: 'a.example' },
      { inbox: 'https://a.example/accounts/u/inbox', host: 'a.example' },
      { inbox: 'http://b.example:8080/inbox', host: 'b.example:8080' },
    ]);
    expect(plan.skipped).toEqual([
      { inbox: 'https://a.example/inbox', reason: 'duplicate' },
      { inbox: 'https://a.example/inbox', reason: 'duplicate' },
    ]);
  });

  it('drops what is not an http(s) URL, our own host and blocked hosts', () => {
    const plan = planInboxes(
      ['ftp://a.example/inbox', 'not a url', 'https://user:pw@a.example/inbox', 'https://us.example:9000/inbox', 'https://bad.example/inbox', 'https://ok.example/inbox'],
      { localHost: 'US.example:9000', blockedHosts: new Set(['bad.example']) },
    );
    expect(plan.targets).toEqual([{ inbox: 'https://ok.example/inbox', host: 'ok.example' }]);
    expect(plan.skipped.map((s) => s.reason)).toEqual(['invalid-url', 'invalid-url', 'invalid-url', 'local', 'host-blocked']);
  });

  it('names hosts as RemoteServer does: lowercase, port when not the default', () => {
    expect(hostOfInbox('https://Videos.Example:443/inbox')).toBe('videos.example');
    expect(hostOfInbox('http://127.0.0.1:9001/inbox')).toBe('127.0.0.1:9001');
    expect(hostOfInbox('mailto:x@y')).toBeUndefined();
  });
});
