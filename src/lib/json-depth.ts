/**
 * Whether JSON text nests objects/arrays deeper than `maxDepth`, counted on the raw text (outside
 * strings), so a hostile document is refused before `JSON.parse` or any recursive walk over it.
 */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 125 || c === 93 /* } ] */) depth--;
  }
  return false;
}
