import type { z } from 'zod';

/** Why a document we received was refused (expected failures are values, not exceptions). */
export type VocabRefusal =
  | { type: 'not-an-object' }
  | { type: 'wrong-type'; expected: readonly string[]; received: string | null }
  | { type: 'missing-field'; field: string }
  | { type: 'invalid-field'; field: string; message: string }
  | { type: 'too-large'; field: string; max: number };

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The refusal for the first problem zod found in `input`. */
export function refusalFromZod(error: z.ZodError, input: unknown, prefix = ''): VocabRefusal {
  const issue = error.issues[0];
  if (!issue) return { type: 'invalid-field', field: prefix || '(document)', message: 'invalid' };
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(document)';
  if (issue.code === 'too_big' && issue.origin === 'array') return { type: 'too-large', field, max: Number(issue.maximum) };
  if (valueAt(input, issue.path) === undefined) return { type: 'missing-field', field };
  return { type: 'invalid-field', field, message: issue.message };
}

/** A sentence for logs and problem+json bodies. */
export function describeRefusal(reason: VocabRefusal): string {
  switch (reason.type) {
    case 'not-an-object':
      return 'the document is not a JSON object';
    case 'wrong-type':
      return `expected type ${reason.expected.join(' or ')}, got ${reason.received ?? 'none'}`;
    case 'missing-field':
      return `missing field "${reason.field}"`;
    case 'invalid-field':
      return `invalid field "${reason.field}": ${reason.message}`;
    case 'too-large':
      return `field "${reason.field}" has more than ${reason.max} entries`;
  }
}
