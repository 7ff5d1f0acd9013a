import { classifyAddress } from './address-classifier.js';
import type { LookupAddresses, ResolvedAddress } from './dns-lookup.js';
import type { FetchFailure } from './net-failure.js';
import type { RemoteHost } from './remote-url.js';

export interface DestinationPolicy {
  /** false in production: only public unicast addresses may be contacted */
  readonly allowPrivateAddresses: boolean;
  /** host names (no port) exempt from the address check: an operator's known peers on a LAN */
  readonly allowedPrivateHosts?: readonly string[];
  readonly lookup: LookupAddresses;
}

export type DestinationResult =
  | { readonly ok: true; readonly addresses: readonly ResolvedAddress[] }
  | { readonly ok: false; readonly reason: FetchFailure };

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return code;
    if (typeof message === 'string') return message;
  }
  return String(err);
}

/**
 * The addresses a request to `host` may connect to: the literal address, or every address DNS
 * gives for the name. Unless the policy allows private addresses (or exempts this name), one
 * special-use address among them refuses the whole host: a name that resolves to both a public
 * and a private address is not used. The caller connects only to the addresses returned here.
 */
export async function resolveDestination(host: RemoteHost, policy: DestinationPolicy): Promise<DestinationResult> {
  let addresses: readonly ResolvedAddress[];
  let checked = !policy.allowPrivateAddresses;
  if (host.kind === 'ip') {
    addresses = [{ address: host.address, family: host.family }];
  } else {
    if (policy.allowedPrivateHosts?.includes(host.name) === true) checked = false;
    try {
      addresses = await policy.lookup(host.name);
    } catch (err) {
      return { ok: false, reason: { type: 'network', message: `cannot resolve ${host.name}: ${errorCode(err)}` } };
    }
    if (addresses.length === 0) return { ok: false, reason: { type: 'network', message: `${host.name} has no address` } };
  }
  if (checked) {
    for (const { address } of addresses) {
      const verdict = classifyAddress(address);
      if (!verdict.allowed) {
        const name = host.kind === 'name' ? `${host.name} resolves to ` : '';
        const embedded = verdict.embedded === undefined ? '' : ` (embeds ${verdict.embedded})`;
        return {
          ok: false,
          reason: {
            type: 'blocked-address',
            message: `${name}${address}${embedded}, a ${verdict.range} address: only public addresses are fetched`,
            address,
            range: verdict.range,
          },
        };
      }
    }
  }
  return { ok: true, addresses };
}
