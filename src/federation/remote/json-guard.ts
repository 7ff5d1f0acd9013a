import { jsonNestsDeeperThan } from '../../lib/json-depth.js';

export type GuardedJsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: { readonly type: 'bad-json'; readonly message: string } };

/**
 * Parses JSON text after counting its nesting on the raw text (outside strings): a document nested
 * deeper than `maxDepth` is refused before `JSON.parse` or any recursive walk over it.
 */
export function parseGuardedJson(text: string, maxDepth: number): GuardedJsonResult {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (jsonNestsDeeperThan(source, maxDepth)) return { ok: false, reason: { type: 'bad-json', message: `JSON nested deeper than ${maxDepth} levels` } };
  try {
    return { ok: true, value: JSON.parse(source) as unknown };
  } catch (err) {
    return { ok: false, reason: { type: 'bad-json', message: `malformed JSON: ${(err as Error).message}` } };
  }
}
