import { BlockList, isIP } from 'node:net';

const NAMED_RANGES: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  linklocal: [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  uniquelocal: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
};

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses unchanged (trimmed). */
export function normalizeAddress(address: string): string {
  const a = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped?.[1] ?? a;
}

/** The trusted proxies of `trust_proxy` (validated by the config schema) as one address matcher. */
export function createTrustedProxies(entries: readonly string[]): { trusts(address: string): boolean } {
  const list = new BlockList();
  for (const entry of entries) {
    const named = NAMED_RANGES[entry];
    if (named) {
      for (const [net, bits, family] of named) list.addSubnet(net, bits, family);
      continue;
    }
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return {
    trusts(address) {
      const a = normalizeAddress(address);
      const family = isIP(a);
      if (family === 0) return false;
      return list.check(a, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/**
 * The client's IP as express's `trust proxy` finds it: start from the connection's address and,
 * while that hop is a trusted proxy, step left through X-Forwarded-For. The first untrusted hop is
 * the client; an entry that is not an IP address stops the walk (at the hop that sent it). Without
 * a trusted connection, X-Forwarded-For is ignored.
 */
export function clientIp(remoteAddress: string | undefined, forwardedFor: string | undefined, trusted: { trusts(address: string): boolean }): string {
  let current = normalizeAddress(remoteAddress ?? '');
  if (!forwardedFor) return current;
  const hops = forwardedFor.split(',').map(normalizeAddress).filter((h) => h.length > 0);
  for (let i = hops.length - 1; i >= 0 && trusted.trusts(current); i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return current;
    current = hop;
  }
  return current;
}
