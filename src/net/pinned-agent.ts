import type { ResolvedAddress } from './dns-lookup.js';

/**
 * The key of a vetted address set: the same set, in any order, gives the same key. A pooled
 * connection is reused only by requests whose vetting gave the same key (lean-http.ts poolKeyOf).
 */
export function pinKey(addresses: readonly ResolvedAddress[]): string {
  return addresses
    .map((a) => `${a.family}/${a.address}`)
    .sort()
    .join(',');
}
