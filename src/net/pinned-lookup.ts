import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './dns-lookup.js';

/**
 * A `lookup` for the socket that answers with the vetted addresses whatever name it is asked for:
 * the connection goes where the check looked, so a DNS answer that changes between the check and
 * the connect (rebinding) is never used. Handles both the single and the `all` (happy eyeballs) forms.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : undefined;
    const usable = family === undefined ? addresses : addresses.filter((a) => a.family === family);
    const first = usable[0];
    if (first === undefined) {
      callback(Object.assign(new Error(`no vetted IPv${family ?? ''} address`), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options.all === true) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, first.address, first.family);
  };
}
