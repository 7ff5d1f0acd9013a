import { findBundledContext } from '../contexts/index.js';
import { isKnownTermDefinition } from './known-context-terms.js';

export interface LdContextRefusal {
  type: 'ld-context-not-allowed';
  /** JSON path and what is wrong there */
  detail: string;
}

function checkContext(value: unknown, path: string): LdContextRefusal | undefined {
  const entries = Array.isArray(value) ? value : [value];
  for (let i = 0; i < entries.length; i++) {
    const entry: unknown = entries[i];
    const at = Array.isArray(value) ? `${path}[${i}]` : path;
    if (typeof entry === 'string') {
      if (findBundledContext(entry) === undefined) return { type: 'ld-context-not-allowed', detail: `${at}: unknown context ${entry.slice(0, 200)}` };
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return { type: 'ld-context-not-allowed', detail: `${at}: a ${entry === null ? 'null (context reset)' : typeof entry} context entry` };
    }
    for (const [term, definition] of Object.entries(entry)) {
      if (!isKnownTermDefinition(term, definition)) {
        return { type: 'ld-context-not-allowed', detail: `${at}: ${JSON.stringify(term).slice(0, 100)} is not a known extension term as defined here` };
      }
    }
  }
  return undefined;
}

/**
 * Inbound check for an activity accepted on its JSON-LD signature (a forwarded one). The
 * signature covers the expanded graph, but handlers read the JSON keys, so a context that renames
 * terms would change what they read while the signature still verifies (`{"Delete": "as:Like"}`,
 * `{"object": null, "sObject": "as:object"}`, swapped terms, `@vocab`, a context reset, scoped
 * contexts). Every `@context` in the document, at any depth, may hold only the bundled contexts
 * (ActivityStreams, security v1) and the exact extension terms real PeerTube sends
 * (known-context-terms.ts), none of which redefines an AS or security term; and no key other than
 * `@context` may be a JSON-LD keyword (`@id`, `@type`, `@nest`, … would bypass the AS aliases).
 */
export function checkLdContexts(document: unknown, path = '$'): LdContextRefusal | undefined {
  if (Array.isArray(document)) {
    for (let i = 0; i < document.length; i++) {
      const found = checkLdContexts(document[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof document !== 'object' || document === null) return undefined;
  for (const [key, value] of Object.entries(document)) {
    if (key === '@context') {
      const found = checkContext(value, `${path}.@context`);
      if (found) return found;
      continue;
    }
    if (key.startsWith('@')) return { type: 'ld-context-not-allowed', detail: `${path}: the JSON-LD keyword ${key.slice(0, 40)} is not accepted in a forwarded activity` };
    const found = checkLdContexts(value, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * The document without the terms its LD signature does not cover (undefined in its context, so
 * left out of the signed graph): a forwarder could add or change them freely. Removed at every
 * depth, except in `@context` and the `signature` block.
 */
export function withoutUnsignedTerms<T>(document: T, terms: readonly string[]): T {
  if (terms.length === 0) return document;
  const drop = new Set(terms);
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    // null prototype: a key named __proto__ stays a plain key
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, child] of Object.entries(value)) {
      if (key === '@context' || key === 'signature') out[key] = child;
      else if (!drop.has(key)) out[key] = strip(child);
    }
    return out;
  };
  return strip(document) as T;
}
