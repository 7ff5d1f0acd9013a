import { parseIpAddress } from './ip-address.js';

export type RemoteHost =
  | { readonly kind: 'ip'; readonly address: string; readonly family: 4 | 6 }
  | { readonly kind: 'name'; readonly name: string };

export type ParseRemoteUrlResult =
  | { readonly ok: true; readonly url: URL; readonly host: RemoteHost }
  | { readonly ok: false; readonly reason: { readonly type: 'bad-url'; readonly message: string } };

const MAX_URL_LENGTH = 4096;

function badUrl(message: string): ParseRemoteUrlResult {
  return { ok: false, reason: { type: 'bad-url', message } };
}

/**
 * Parses a URL we are about to fetch (relative to `base` for a redirect's Location): only http and
 * https, no credentials, a host. IP hosts are returned as addresses: the WHATWG parser has already
 * turned `2130706433`, `0x7f.1` and `0177.0.0.1` into `127.0.0.1`, and `[::ffff:127.0.0.1]` into
 * `[::ffff:7f00:1]`, so no numeric form reaches DNS.
 */
export function parseRemoteUrl(input: string | URL, base?: URL): ParseRemoteUrlResult {
  const text = typeof input === 'string' ? input : input.href;
  if (text.length > MAX_URL_LENGTH) return badUrl(`the URL is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return badUrl(`not a URL: ${text.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return badUrl(`scheme ${url.protocol} is not allowed (http and https only)`);
  if (url.username !== '' || url.password !== '') return badUrl('URLs with credentials are not fetched');
  const hostname = url.hostname;
  if (hostname === '') return badUrl('the URL has no host');
  if (hostname.startsWith('[')) {
    const ip = parseIpAddress(hostname);
    if (ip === undefined) return badUrl(`bad IPv6 host ${hostname}`);
    return { ok: true, url, host: { kind: 'ip', address: hostname.slice(1, -1), family: 6 } };
  }
  if (parseIpAddress(hostname) !== undefined) return { ok: true, url, host: { kind: 'ip', address: hostname, family: 4 } };
  // `example.com.` and `example.com` are one host (for DNS and for the exempt list)
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === '') return badUrl('the URL has no host');
  return { ok: true, url, host: { kind: 'name', name } };
}
