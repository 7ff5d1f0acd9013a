import { createHash } from 'node:crypto';
import { jsonld, type JsonLdEventHandler } from './jsonld-api.js';
import { createOfflineDocumentLoader } from './offline-document-loader.js';

export type SmugglingKeyword = '@graph' | '@reverse' | '@included';

export type CanonicalizationFailure =
  | { readonly type: 'ld-smuggling'; readonly keyword: SmugglingKeyword; readonly path: string }
  | { readonly type: 'ld-context-not-allowed'; readonly url: string }
  | { readonly type: 'ld-canonicalization-failed'; readonly detail: string };

export interface CanonicalForm {
  /** RDFC-1.0 (URDNA2015) canonical N-Quads. */
  readonly nquads: string;
  /**
   * Terms that did not map to an IRI and were therefore left out of the canonical form — the
   * signature does not cover them. Empty for a document whose every term is defined.
   */
  readonly unsignedTerms: readonly string[];
}

export type CanonicalizeResult =
  | { readonly ok: true; readonly value: CanonicalForm }
  | { readonly ok: false; readonly reason: CanonicalizationFailure };

const SMUGGLING: ReadonlySet<string> = new Set<SmugglingKeyword>(['@graph', '@reverse', '@included']);

/** Finds `@graph`/`@reverse`/`@included` anywhere outside `@context` values. */
function findSmuggling(value: unknown, path: string): { keyword: SmugglingKeyword; path: string } | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findSmuggling(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key === '@context') continue;
    if (SMUGGLING.has(key)) return { keyword: key as SmugglingKeyword, path: `${path}.${key}` };
    const found = findSmuggling(child, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const details = (error as { details?: { code?: unknown } }).details;
    return typeof details?.code === 'string' ? `${error.message} (${details.code})` : error.message;
  }
  return String(error);
}

/**
 * Canonicalises a JSON-LD document offline: bundled contexts only, JSON-LD smuggling keywords
 * (`@graph`, `@reverse`, `@included`, also when reached through an alias) refused, dropped terms
 * reported instead of silently ignored.
 */
export async function canonicalizeJsonLd(document: unknown): Promise<CanonicalizeResult> {
  const literal = findSmuggling(document, '$');
  if (literal) return { ok: false, reason: { type: 'ld-smuggling', ...literal } };

  const refused: string[] = [];
  const documentLoader = createOfflineDocumentLoader((url) => refused.push(url));
  const dropped = new Set<string>();
  const eventHandler: JsonLdEventHandler = ({ event }) => {
    if (event.level !== 'warning') return;
    const property = event.details?.property;
    dropped.add(typeof property === 'string' ? property.replace(/^_:/, '') : event.code);
  };

  try {
    const expanded = await jsonld.expand(document, { documentLoader, safe: false, eventHandler });
    const aliased = findSmuggling(expanded, '$expanded');
    if (aliased) return { ok: false, reason: { type: 'ld-smuggling', ...aliased } };
    const nquads = await jsonld.canonize(expanded, {
      documentLoader,
      safe: false,
      eventHandler,
      format: 'application/n-quads',
      canonizeOptions: { algorithm: 'RDFC-1.0' },
    });
    if (nquads.trim() === '') {
      // Nothing maps to an IRI (typically: no @context). A signature over an empty graph would
      // fit every other such document, so there is nothing to verify or sign.
      return { ok: false, reason: { type: 'ld-canonicalization-failed', detail: 'the document has no linked data (no @context?)' } };
    }
    return { ok: true, value: { nquads, unsignedTerms: [...dropped].sort() } };
  } catch (error) {
    const url = refused[0];
    if (url !== undefined) return { ok: false, reason: { type: 'ld-context-not-allowed', url } };
    return { ok: false, reason: { type: 'ld-canonicalization-failed', detail: describeError(error) } };
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
