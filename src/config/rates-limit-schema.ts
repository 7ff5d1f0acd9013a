import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDuration } from '../lib/units.js';

const window = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = parseDuration(v);
  if (n === null || n <= 0) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)} (use milliseconds or e.g. "10 seconds")` });
    return z.NEVER;
  }
  return n;
});

const limit = z.strictObject({ window, max: z.number().int().min(1) });

/**
 * PeerTube's `rates_limit` (the keys of the routes we have): requests per client IP and window,
 * answered 429 with Retry-After beyond `max`. Administrators and moderators are not limited.
 */
export const ratesLimitSchema = z.strictObject({ api: limit, login: limit, activity_pub: limit, well_known: limit });

/** A named range (as PeerTube/express: loopback, linklocal, uniquelocal), an IP address, or a CIDR subnet. */
const trustedProxy = z.string().refine((v) => {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(v)) return true;
  const [address, bits, ...rest] = v.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}, 'must be loopback, linklocal, uniquelocal, an IP address or a subnet like 10.0.0.0/8');

/** PeerTube's `trust_proxy`: the proxies whose X-Forwarded-For is believed (default: loopback). */
export const trustProxySchema = z.array(trustedProxy);
