/** Parses JSON and refuses documents nested deeper than `maxDepth` (a cheap guard before any work). */
export function parseJsonWithDepthLimit(text: string, maxDepth: number): { ok: true; value: unknown } | { ok: false; reason: 'malformed-json' | 'json-too-deep' } {
  // Count nesting on the raw text (outside strings) first: JSON.parse itself can go very deep.
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      if (++depth > maxDepth) return { ok: false, reason: 'json-too-deep' };
    } else if (c === 125 || c === 93) depth--;
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'malformed-json' };
  }
}
