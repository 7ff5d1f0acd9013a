import { describe, expect, it } from 'vitest';
import { createInstanceUrls } from '../../../src/lib/instance-urls.js';
import { parseWebfingerResource } from '../../../src/http/well-known/webfinger.js';
import { buildHostMeta } from '../../../src/http/well-known/host-meta.js';
import { buildNodeinfoLinks } from '../../../src/http/well-known/nodeinfo.js';

const https = createInstanceUrls({ https: true, hostname: 'tube.example', port: 443 });
const http = createInstanceUrls({ https: false, hostname: 'localhost', port: 9000 });

describe('parseWebfingerResource', () => {
  it.each([
    ['acct:root@tube.example', { kind: 'name', name: 'root' }],
    ['acct:root@TUBE.example', { kind: 'name', name: 'root' }],
    ['acct:root@tube.example:443', { kind: 'name', name: 'root' }],
    ['root@tube.example', { kind: 'name', name: 'root' }],
    ['https://tube.example/video-channels/main', { kind: 'url', url: 'https://tube.example/video-channels/main' }],
  ])('%s', (resource, value) => {
    expect(parseWebfingerResource(resource, https)).toEqual({ ok: true, value });
  });

  it('keeps non-default ports significant', () => {
    expect(parseWebfingerResource('acct:root@localhost:9000', http)).toEqual({ ok: true, value: { kind: 'name', name: 'root' } });
    expect(parseWebfingerResource('acct:root@localhost', http)).toEqual({ ok: false, reason: { type: 'other-host', host: 'localhost' } });
    expect(parseWebfingerResource('acct:root@localhost:80', http)).toMatchObject({ ok: false });
  });

  it.each([
    [undefined, 'missing-resource'],
    ['', 'missing-resource'],
    [['a', 'b'], 'missing-resource'],
    ['acct:root', 'malformed-resource'],
    ['acct:@tube.example', 'malformed-resource'],
    ['acct:a@b@tube.example', 'malformed-resource'],
    ['acct:root@other.example', 'other-host'],
    ['https://other.example/accounts/root', 'other-host'],
    ['https://tube.example.evil/accounts/root', 'other-host'],
  ])('refuses %j (%s)', (resource, type) => {
    const parsed = parseWebfingerResource(resource, https);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason.type).toBe(type);
  });
});

describe('host-meta and nodeinfo links', () => {
  it('host-meta is byte for byte PeerTube\'s', () => {
    expect(buildHostMeta('http://localhost:9000')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n  <Link rel="lrdd" type="application/xrd+xml" template="http://localhost:9000/.well-known/webfinger?resource={uri}"/>\n</XRD>',
    );
  });

  it('nodeinfo links keep PeerTube\'s 2.0 first and its Application link last', () => {
    const links = buildNodeinfoLinks('http://localhost:9000', 'http://localhost:9000/accounts/peertube').links;
    expect(links[0]).toEqual({ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: 'http://localhost:9000/nodeinfo/2.0.json' });
    expect(links.at(-1)).toEqual({ rel: 'https://www.w3.org/ns/activitystreams#Application', href: 'http://localhost:9000/accounts/peertube' });
  });
});
