import { formatIpv4, parseIpAddress, type IpAddress } from './ip-address.js';

/** Why an address is not a public unicast destination. */
export type SpecialUseRange =
  | 'not-an-address'
  | 'this-network'
  | 'private'
  | 'shared-cgnat'
  | 'loopback'
  | 'link-local'
  | 'ietf-protocol'
  | 'documentation'
  | 'relay-anycast'
  | 'benchmarking'
  | 'multicast'
  | 'reserved'
  | 'unspecified'
  | 'ipv4-compatible'
  | 'ipv4-translated'
  | 'nat64-local'
  | 'discard-only'
  | 'srv6'
  | 'unique-local'
  | 'site-local';

export type AddressVerdict =
  | { readonly allowed: true; readonly address: string; readonly version: 4 | 6 }
  | {
      readonly allowed: false;
      readonly address: string;
      readonly range: SpecialUseRange;
      /** for IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4): the embedded one */
      readonly embedded?: string;
    };

interface Cidr {
  readonly bytes: Uint8Array;
  readonly bits: number;
  readonly range: SpecialUseRange;
}

function cidr(text: string, range: SpecialUseRange): Cidr {
  const [address, bits] = text.split('/') as [string, string];
  const parsed = parseIpAddress(address);
  if (parsed === undefined) throw new TypeError(`bad range ${text}`);
  return { bytes: parsed.bytes, bits: Number(bits), range };
}

function inCidr(bytes: Uint8Array, block: { bytes: Uint8Array; bits: number }): boolean {
  if (bytes.length !== block.bytes.length) return false;
  const whole = Math.floor(block.bits / 8);
  for (let i = 0; i < whole; i++) if (bytes[i] !== block.bytes[i]) return false;
  const rest = block.bits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((bytes[whole] as number) & mask) === ((block.bytes[whole] as number) & mask);
}

/** IANA's IPv4 special-purpose registry, less the few globally reachable anycast blocks. */
const IPV4_SPECIAL: readonly Cidr[] = [
  cidr('0.0.0.0/8', 'this-network'),
  cidr('10.0.0.0/8', 'private'),
  cidr('100.64.0.0/10', 'shared-cgnat'),
  cidr('127.0.0.0/8', 'loopback'),
  cidr('169.254.0.0/16', 'link-local'),
  cidr('172.16.0.0/12', 'private'),
  cidr('192.0.0.0/24', 'ietf-protocol'),
  cidr('192.0.2.0/24', 'documentation'),
  cidr('192.88.99.0/24', 'relay-anycast'),
  cidr('192.168.0.0/16', 'private'),
  cidr('198.18.0.0/15', 'benchmarking'),
  cidr('198.51.100.0/24', 'documentation'),
  cidr('203.0.113.0/24', 'documentation'),
  cidr('224.0.0.0/4', 'multicast'),
  cidr('240.0.0.0/4', 'reserved'),
];

/** IPv6 ranges that embed an IPv4 address: judged by the embedded address. */
const IPV6_EMBEDDING: readonly { block: Cidr; offset: number }[] = [
  { block: cidr('::ffff:0:0/96', 'reserved'), offset: 12 }, // IPv4-mapped
  { block: cidr('64:ff9b::/96', 'reserved'), offset: 12 }, // NAT64 well-known prefix
  { block: cidr('2002::/16', 'reserved'), offset: 2 }, // 6to4
];

const IPV6_SPECIAL: readonly Cidr[] = [
  cidr('::/128', 'unspecified'),
  cidr('::1/128', 'loopback'),
  cidr('::/96', 'ipv4-compatible'),
  cidr('::ffff:0:0:0/96', 'ipv4-translated'),
  cidr('64:ff9b:1::/48', 'nat64-local'),
  cidr('100::/64', 'discard-only'),
  cidr('2001::/23', 'ietf-protocol'), // includes Teredo (2001::/32)
  cidr('2001:db8::/32', 'documentation'),
  cidr('3fff::/20', 'documentation'),
  cidr('5f00::/16', 'srv6'),
  cidr('fc00::/7', 'unique-local'),
  cidr('fe80::/10', 'link-local'),
  cidr('fec0::/10', 'site-local'),
  cidr('ff00::/8', 'multicast'),
];

/** Everything outside global unicast (2000::/3) is reserved or special. */
const IPV6_GLOBAL_UNICAST = cidr('2000::/3', 'reserved');

function classifyV4(bytes: Uint8Array, address: string): AddressVerdict {
  const special = IPV4_SPECIAL.find((block) => inCidr(bytes, block));
  return special === undefined ? { allowed: true, address, version: 4 } : { allowed: false, address, range: special.range };
}

function classifyParsed(ip: IpAddress, address: string): AddressVerdict {
  if (ip.version === 4) return classifyV4(ip.bytes, address);
  for (const { block, offset } of IPV6_EMBEDDING) {
    if (!inCidr(ip.bytes, block)) continue;
    const embedded = formatIpv4(ip.bytes.subarray(offset, offset + 4));
    const inner = classifyV4(ip.bytes.subarray(offset, offset + 4), embedded);
    return inner.allowed ? { allowed: true, address, version: 6 } : { allowed: false, address, range: inner.range, embedded };
  }
  const special = IPV6_SPECIAL.find((block) => inCidr(ip.bytes, block));
  if (special !== undefined) return { allowed: false, address, range: special.range };
  if (!inCidr(ip.bytes, IPV6_GLOBAL_UNICAST)) return { allowed: false, address, range: 'reserved' };
  return { allowed: true, address, version: 6 };
}

/**
 * Is this address a public unicast destination? Private (RFC 1918, ULA), loopback, link-local,
 * CGNAT, multicast, unspecified, documentation, benchmarking and other special-use ranges are not;
 * IPv6 forms that embed an IPv4 address (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4)
 * are judged by the embedded address. Text that is not an address is refused (fail closed).
 */
export function classifyAddress(address: string): AddressVerdict {
  const ip = parseIpAddress(address);
  if (ip === undefined) return { allowed: false, address, range: 'not-an-address' };
  return classifyParsed(ip, address);
}
