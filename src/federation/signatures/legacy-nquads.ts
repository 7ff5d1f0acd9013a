/**
 * Rewrites canonical N-Quads from RDFC-1.0 escaping (rdf-canonize ≥ 4, jsonld ≥ 9: `\t`, `\b`,
 * `\f` and `\u00XX` for other control characters) to the escaping of URDNA2015 as implemented by
 * rdf-canonize ≤ 3 / jsonld ≤ 8, which escaped only `"`, `\`, `\n` and `\r`, and sorts the lines
 * again. Senders on the older stack produce this form for literals holding tabs or other control
 * characters. (Blank-node labels could in theory differ too when such a literal hangs off a blank
 * node; that case is not reproduced.)
 */
export function toLegacyNQuads(nquads: string): string {
  const lines = nquads.split('\n').filter((line) => line !== '');
  const rewritten = lines.map((line) =>
    line.replace(/\\(?:([btnfr"\\])|u([0-9A-Fa-f]{4}))/g, (match: string, echar?: string, hex?: string) => {
      if (echar === 'b') return '\b';
      if (echar === 't') return '\t';
      if (echar === 'f') return '\f';
      if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
      return match;
    }),
  );
  rewritten.sort();
  return rewritten.map((line) => `${line}\n`).join('');
}

/** Whether a canonical form contains escapes on which the two escapings disagree. */
export function hasLegacyEscapeDifference(nquads: string): boolean {
  return /\\(?:[btf]|u[0-9A-Fa-f]{4})/.test(nquads.replace(/\\\\/g, ''));
}
