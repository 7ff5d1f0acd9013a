import { jsonNestsDeeperThan } from '../../lib/json-depth.js';

/** Parses JSON and refuses documents nested deeper than `maxDepth` (a cheap guard before any work). */
export function parseJsonWithDepthLimit(text: string, maxDepth: number): { ok: true; value: unknown } | { ok: false; reason: 'malformed-json' | 'json-too-deep' } {
  if (jsonNestsDeeperThan(text, maxDepth)) return { ok: false, reason: 'json-too-deep' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'malformed-json' };
  }
}
