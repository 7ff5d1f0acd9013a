/**
 * Request headers as plain data: Node's `IncomingHttpHeaders`, a captured request or a test table.
 * Names may be in any case; repeated headers may be given as arrays.
 */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** Case-insensitive header lookup. Repeated values are joined with ", " (draft-cavage §2.3). */
export function getHeader(headers: HeaderMap, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (Array.isArray(value)) values.push(...(value as readonly string[]).map((v) => v.trim()));
    else values.push(String(value).trim());
  }
  return values.length === 0 ? undefined : values.join(', ');
}
