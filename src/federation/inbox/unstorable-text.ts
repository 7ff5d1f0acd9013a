/** Where a string PostgreSQL cannot store was found, and what it holds. */
export interface UnstorableText {
  /** JSON path of the string (a key is reported at the path of its object) */
  path: string;
  problem: 'nul-character' | 'lone-surrogate';
}

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what is looked for
const SUSPECT = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function problemOf(text: string): UnstorableText['problem'] | undefined {
  if (!SUSPECT.test(text)) return undefined;
  if (text.includes('\u0000')) return 'nul-character';
  return LONE_SURROGATE.test(text) ? 'lone-surrogate' : undefined;
}

/**
 * The first string (value or key) of a parsed JSON document that PostgreSQL refuses: U+0000
 * (neither `text` nor `jsonb` holds it) or a lone UTF-16 surrogate (`\ud800` alone is valid JSON but
 * not Unicode; jsonb refuses it). Such a body is refused at the door instead of failing the write
 * it would share with other activities. The document is already depth-limited by its parser.
 */
export function findUnstorableText(value: unknown, path = '$'): UnstorableText | undefined {
  if (typeof value === 'string') {
    const problem = problemOf(value);
    return problem ? { path, problem } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const keyProblem = problemOf(key);
    if (keyProblem) return { path, problem: keyProblem };
    const found = findUnstorableText((value as Record<string, unknown>)[key], `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
