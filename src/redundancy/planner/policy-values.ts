/**
 * The leaves of the `redundancy.videos` schema: sizes ("10GB" or bytes), durations ("25 hours"
 * or milliseconds; video durations as strings only), integers, strategy names and lists, each
 * with the sentence `validatePolicy` shows when a value is refused; and how checks add issues.
 */
import { z } from 'zod';
import { parseBytes, parseDuration } from '../../lib/units.js';
import { STRATEGY_NAMES, type StrategyName } from './types.js';

/** A value as error messages quote it: strings in JSON quotes, the rest as is. */
export const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A positive size or duration: a number, or a string its parser reads; messages say what was expected. */
function positive(parse: (v: number | string) => number | null, expected: string) {
  return z
    .union([z.number(), z.string()], { error: (iss) => `must be ${expected} (got ${show(iss.input)})` })
    .transform((v, ctx) => {
      const n = typeof v === 'number' && v <= 0 ? v : parse(v);
      if (n === null) {
        ctx.addIssue({ code: 'custom', message: `must be ${expected} (got ${show(v)})` });
        return z.NEVER;
      }
      if (n <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be more than 0 (got ${show(v)})` });
        return z.NEVER;
      }
      return n;
    });
}

export const positiveSize = positive(parseBytes, 'a size such as "10GB" or a number of bytes');
export const positiveDurationMs = positive(parseDuration, 'a duration such as "25 hours" or a number of milliseconds');

/** Video durations: a string only ("2 hours"), since a bare number is ambiguous (seconds? ms?). */
export const videoDurationSeconds = z
  .string({ error: (iss) => `must be a duration such as "90 minutes" (got ${show(iss.input)}; a bare number is ambiguous)` })
  .transform((v, ctx) => {
    const n = parseDuration(v);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as "90 minutes" (got ${show(v)})` });
      return z.NEVER;
    }
    return Math.floor(n / 1000);
  });

export const integer = (what = 'an integer') => z.number({ error: (iss) => `must be ${what} (got ${show(iss.input)})` }).int({ error: (iss) => `must be ${what} (got ${show(iss.input)})` });

export const strategyName = z.enum(STRATEGY_NAMES as [StrategyName, ...StrategyName[]], {
  error: (iss) => `must be one of ${STRATEGY_NAMES.join(', ')} (got ${show(iss.input)})`,
});

export const stringList = z.array(z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }), {
  error: 'must be a list of strings',
});
export const integerList = z.array(integer(), { error: 'must be a list of integers' });

/** Reports one custom issue, at `path` under the value being checked. */
export type Add = (message: string, path?: (string | number)[]) => void;
type Ctx = { addIssue: (issue: { code: 'custom'; message: string; path: (string | number)[] }) => void };
export const adder = (ctx: Ctx): Add => (message, path = []) => ctx.addIssue({ code: 'custom', message, path });
