/** A channel/account entry: a URL stays as is; `name@host` and `@name@host` are lower-cased; a bare name gets the rule's host. */
export function normalizeActorEntry(entry: string, host: string): string {
  const e = entry.trim();
  if (e.includes('://')) return e.replace(/\/+$/, '');
  const handle = (e.startsWith('@') ? e.slice(1) : e).toLowerCase();
  return handle.includes('@') ? handle : `${handle}@${host}`;
}
