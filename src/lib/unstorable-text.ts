/** Where a string PostgreSQL cannot store was found, and what it holds. */
export interface UnstorableText {
  /** JSON path of the string (a key is reported at the path of its object) */
  path: string;
  problem: 'nul-character' | 'lone-surrogate';
}

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what is looked for
const SUSPECT = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what is replaced
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function problemOf(text: string): UnstorableText['problem'] | undefined {
  if (!SUSPECT.test(text)) return undefined;
  if (text.includes('\u0000')) return 'nul-character';
  return LONE_SURROGATE.test(text) ? 'lone-surrogate' : undefined;
}

/**
 * The first string (value or key) of a parsed document that PostgreSQL refuses: U+0000 (neither
 * `text` nor `jsonb` holds it) or a lone UTF-16 surrogate (`"\ud800"` is valid JSON but not
 * Unicode; `jsonb` refuses it, and `text` would silently turn it into U+FFFD). Input holding one is
 * refused at the border (400) instead of failing in the database (500). Iterative, so deep
 * nesting cannot overflow the stack; linear in the document's size (bounded by the body limits).
 */
export function findUnstorableText(input: unknown): UnstorableText | undefined {
  const stack: [unknown, string][] = [[input, '$']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      const problem = problemOf(value);
      if (problem) return { path, problem };
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      for (const key of keys) {
        const problem = problemOf(key);
        if (problem) return { path, problem };
      }
      for (let i = keys.length - 1; i >= 0; i--) stack.push([(value as Record<string, unknown>)[keys[i]!], `${path}.${keys[i]}`]);
    }
  }
  return undefined;
}

/** `text` with NUL characters and lone surrogates replaced by U+FFFD (for a `text` column fed with text from elsewhere, such as an error message). */
export const storableText = (text: string): string => (problemOf(text) ? text.replace(UNSTORABLE, '\ufffd') : text);

/**
 * `value` with every NUL and lone surrogate in its strings and keys replaced by U+FFFD, for JSON
 * columns that hold text we did not validate ourselves (a job's result holding a remote error
 * message): what a `text` column does to a lone surrogate, done before `jsonb` refuses the row.
 * Returns `value` itself when there is nothing to replace.
 */
export function storableJson<T>(value: T): T {
  if (findUnstorableText(value) === undefined) return value;
  const copy = (v: unknown): unknown => {
    if (typeof v === 'string') return storableText(v);
    if (Array.isArray(v)) return v.map(copy);
    if (v === null || typeof v !== 'object') return v;
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), copy(x)]));
  };
  return copy(value) as T;
}
