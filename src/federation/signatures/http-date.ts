/** `Date` header value in the IMF-fixdate form of RFC 7231 (RFC 1123): `Sun, 22 Nov 2026 19:11:18 GMT`. */
export function formatHttpDate(now: Date): string {
  return now.toUTCString();
}

/** Milliseconds since the epoch, or undefined when the value is not a date. */
export function parseHttpDate(value: string): number | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
