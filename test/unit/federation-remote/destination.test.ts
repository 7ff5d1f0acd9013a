import { describe, expect, it } from 'vitest';
import {
  parseRemoteUrl,
  resolveDestination,
  type DestinationPolicy,
  type LookupAddresses,
  type ResolvedAddress,
} from '../../../src/federation/remote/index.js';

// A resolver over a fixed table: no network in unit tests.
const DNS: Record<string, ResolvedAddress[]> = {
  'public.example': [{ address: '93.184.216.34', family: 4 }],
  'dual.example': [
    { address: '2606:4700:4700::1111', family: 6 },
    { address: '1.1.1.1', family: 4 },
  ],
  'mixed.example': [
    { address: '1.1.1.1', family: 4 },
    { address: '10.0.0.5', family: 4 },
  ],
  localhost: [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ],
  'metadata.example': [{ address: '169.254.169.254', family: 4 }],
  'mapped.example': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'lan-peer.example': [{ address: '192.168.1.20', family: 4 }],
};

function tableLookup(): LookupAddresses & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (name: string) => {
    calls.push(name);
    const found = DNS[name];
    if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return found;
  };
  return Object.assign(lookup, { calls });
}

async function check(url: string, overrides: Partial<DestinationPolicy> = {}) {
  const parsed = parseRemoteUrl(url);
  if (!parsed.ok) return parsed;
  return resolveDestination(parsed.host, { allowPrivateAddresses: false, lookup: tableLookup(), ...overrides });
}

describe('parseRemoteUrl', () => {
  it.each([
    ['ftp://example.com/file', /scheme ftp: is not allowed/],
    ['file:///etc/passwd', /scheme file:/],
    ['gopher://example.com:70/', /scheme gopher:/],
    ['javascript:alert(1)', /scheme javascript:/],
    ['http://user:secret@example.com/', /credentials/],
    ['not a url', /not a URL/],
    ['http://1.2.3.4.5/', /not a URL/],
    [`http://example.com/${'a'.repeat(5000)}`, /longer than/],
  ])('refuses %s', (url, message) => {
    const parsed = parseRemoteUrl(url);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason.type).toBe('bad-url');
      expect(parsed.reason.message).toMatch(message);
    }
  });

  it.each([
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0x7f.0.0.1/', '127.0.0.1'],
    ['http://017700000001/', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://0.0.0.0:9000/', '0.0.0.0'],
  ])('turns the numeric host of %s into the address %s before any DNS', (url, address) => {
    expect(parseRemoteUrl(url)).toMatchObject({ ok: true, host: { kind: 'ip', address, family: 4 } });
  });

  it('keeps IPv6 literals as addresses, without brackets', () => {
    expect(parseRemoteUrl('http://[::ffff:127.0.0.1]:9000/x')).toMatchObject({ ok: true, host: { kind: 'ip', address: '::ffff:7f00:1', family: 6 } });
    expect(parseRemoteUrl('https://[::]/')).toMatchObject({ ok: true, host: { kind: 'ip', address: '::', family: 6 } });
  });

  it('resolves a relative redirect Location against the current URL', () => {
    const parsed = parseRemoteUrl('/accounts/b', new URL('https://a.example/accounts/a'));
    expect(parsed).toMatchObject({ ok: true, host: { kind: 'name', name: 'a.example' } });
    if (parsed.ok) expect(parsed.url.href).toBe('https://a.example/accounts/b');
  });
});

describe('resolveDestination (guard on)', () => {
  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://0.0.0.0/', 'this-network'],
    ['http://[::]/', 'unspecified'],
    ['http://[::1]:9000/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:a00:1]/', 'private'],
    ['http://[64:ff9b::a9fe:a9fe]/latest/meta-data', 'link-local'],
    ['http://[fd00::1]/', 'unique-local'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://10.1.2.3/', 'private'],
    ['http://100.64.1.1/', 'shared-cgnat'],
    ['https://localhost/', 'loopback'],
    ['https://LOCALHOST./', 'loopback'],
    ['https://metadata.example/', 'link-local'],
    ['https://mapped.example/', 'loopback'],
    ['https://mixed.example/', 'private'],
  ])('refuses %s (%s)', async (url, range) => {
    const result = await check(url);
    expect(result).toMatchObject({ ok: false, reason: { type: 'blocked-address', range } });
  });

  it.each([
    ['https://public.example/actor', ['93.184.216.34']],
    ['https://dual.example/', ['2606:4700:4700::1111', '1.1.1.1']],
    ['http://8.8.8.8/', ['8.8.8.8']],
    ['http://[2606:4700:4700::1111]:443/', ['2606:4700:4700::1111']],
  ])('allows %s and pins %j', async (url, addresses) => {
    const result = await check(url);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.addresses.map((a) => a.address)).toEqual(addresses);
  });

  it('reports a name that does not resolve as a network failure', async () => {
    expect(await check('https://nowhere.example/')).toMatchObject({ ok: false, reason: { type: 'network', message: /ENOTFOUND/ } });
  });

  it('does not ask DNS for literal addresses', async () => {
    const lookup = tableLookup();
    await check('http://127.0.0.1/', { lookup });
    await check('http://[::1]/', { lookup });
    expect(lookup.calls).toEqual([]);
  });

  it('exempts only the configured names, not their addresses', async () => {
    const allowedPrivateHosts = ['lan-peer.example'];
    expect(await check('http://lan-peer.example/', { allowedPrivateHosts })).toMatchObject({ ok: true });
    expect(await check('http://192.168.1.20/', { allowedPrivateHosts })).toMatchObject({ ok: false, reason: { type: 'blocked-address' } });
    expect(await check('http://localhost/', { allowedPrivateHosts })).toMatchObject({ ok: false, reason: { type: 'blocked-address' } });
  });
});

describe('resolveDestination (guard off)', () => {
  it('allows private and loopback destinations', async () => {
    expect(await check('http://127.0.0.1:9000/', { allowPrivateAddresses: true })).toMatchObject({ ok: true });
    expect(await check('http://localhost:9000/', { allowPrivateAddresses: true })).toMatchObject({ ok: true });
    expect(await check('http://[::1]/', { allowPrivateAddresses: true })).toMatchObject({ ok: true });
  });
});
