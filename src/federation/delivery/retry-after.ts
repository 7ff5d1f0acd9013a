import { parseHttpDate } from '../signatures/index.js';

/**
 * A `Retry-After` header value (RFC 9110 §10.2.3: delay-seconds or an HTTP date) as milliseconds
 * from `now`; undefined when absent or unreadable. A date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day name; Date.parse alone
  // would read "-5" or "1.5" as dates.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i.test(text)) return undefined;
  const at = parseHttpDate(text);
  if (at === undefined) return undefined;
  return Math.max(0, at - now.getTime());
}
