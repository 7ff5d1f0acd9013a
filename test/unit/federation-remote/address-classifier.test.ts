import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../../src/federation/remote/index.js';

// [address, expected range | 'public']
const TABLE: readonly [string, string][] = [
  // IPv4 loopback, private, link-local, CGNAT
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['192.168.0.1', 'private'],
  ['192.168.255.255', 'private'],
  ['169.254.169.254', 'link-local'], // cloud metadata
  ['169.254.0.1', 'link-local'],
  ['100.64.0.1', 'shared-cgnat'],
  ['100.127.255.255', 'shared-cgnat'],
  ['100.63.255.255', 'public'],
  ['100.128.0.0', 'public'],
  // unspecified / this network
  ['0.0.0.0', 'this-network'],
  ['0.1.2.3', 'this-network'],
  // multicast, reserved, broadcast
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  // documentation, benchmarking, protocol assignments, 6to4 relay
  ['192.0.2.10', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.200', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['192.0.0.8', 'ietf-protocol'],
  ['192.88.99.1', 'relay-anycast'],
  // public IPv4
  ['1.1.1.1', 'public'],
  ['8.8.8.8', 'public'],
  ['93.184.216.34', 'public'],
  ['223.255.255.255', 'public'],
  ['11.0.0.1', 'public'],
  // IPv6 specials
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['ff05::2', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['2001:db8:ffff::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001::1', 'ietf-protocol'], // Teredo
  ['100::1', 'discard-only'],
  ['64:ff9b:1::1', 'nat64-local'],
  ['::1.2.3.4', 'ipv4-compatible'],
  ['::ffff:0:1.2.3.4', 'ipv4-translated'],
  ['5f00::1', 'srv6'],
  ['4000::1', 'reserved'], // outside 2000::/3
  ['::2', 'ipv4-compatible'],
  // IPv4 embedded in IPv6: judged by the IPv4 address
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['0:0:0:0:0:ffff:c0a8:0101', 'private'],
  ['::ffff:8.8.8.8', 'public'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::192.168.1.1', 'private'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
  ['2002:0a00:0001::', 'private'],
  ['2002:0808:0808::1', 'public'],
  // public IPv6
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:82b::200e', 'public'],
  ['2001:4860:4860::8888', 'public'],
  // not addresses: fail closed
  ['localhost', 'not-an-address'],
  ['2130706433', 'not-an-address'],
  ['0177.0.0.1', 'not-an-address'],
  ['0x7f.0.0.1', 'not-an-address'],
  ['127.1', 'not-an-address'],
  ['256.0.0.1', 'not-an-address'],
  ['1.2.3.4.5', 'not-an-address'],
  ['1:2:3:4:5:6:7:8:9', 'not-an-address'],
  ['1::2::3', 'not-an-address'],
  ['12345::1', 'not-an-address'],
  ['', 'not-an-address'],
];

describe('classifyAddress', () => {
  it.each(TABLE)('%s is %s', (address, expected) => {
    const verdict = classifyAddress(address);
    if (expected === 'public') expect(verdict).toMatchObject({ allowed: true });
    else expect(verdict).toMatchObject({ allowed: false, range: expected });
  });

  it('names the embedded IPv4 address of a mapped or NAT64 form', () => {
    expect(classifyAddress('::ffff:127.0.0.1')).toMatchObject({ allowed: false, embedded: '127.0.0.1' });
    expect(classifyAddress('64:ff9b::a00:1')).toMatchObject({ allowed: false, embedded: '10.0.0.1' });
  });

  it('accepts the bracketed form of URL hosts', () => {
    expect(classifyAddress('[::1]')).toMatchObject({ allowed: false, range: 'loopback' });
    expect(classifyAddress('[2606:4700:4700::1111]')).toMatchObject({ allowed: true, version: 6 });
  });
});
