/**
 * The path of the first string (key or value) of `input` that holds a NUL character, or null.
 * PostgreSQL text cannot store U+0000, so such input must be refused at the border (400), not
 * fail in the database (500). Iterative (deep nesting cannot overflow the stack) and bounded.
 */
export function findNulCharacter(input: unknown, maxNodes = 100_000): string | null {
  const stack: [unknown, string][] = [[input, '']];
  let seen = 0;
  while (stack.length > 0 && seen++ < maxNodes) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path || 'value';
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push([value[i], `${path}[${i}]`]);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const at = path ? `${path}.${k}` : k;
        if (k.includes('\u0000')) return at;
        stack.push([v, at]);
      }
    }
  }
  return null;
}
