export type GuardedJsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: { readonly type: 'bad-json'; readonly message: string } };

/**
 * Parses JSON text after counting its nesting on the raw text (outside strings): a document nested
 * deeper than `maxDepth` is refused before `JSON.parse` or any recursive walk over it.
 */
export function parseGuardedJson(text: string, maxDepth: number): GuardedJsonResult {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      if (++depth > maxDepth) return { ok: false, reason: { type: 'bad-json', message: `JSON nested deeper than ${maxDepth} levels` } };
    } else if (c === 125 || c === 93 /* } ] */) depth--;
  }
  try {
    return { ok: true, value: JSON.parse(source) as unknown };
  } catch (err) {
    return { ok: false, reason: { type: 'bad-json', message: `malformed JSON: ${(err as Error).message}` } };
  }
}
