import { findBundledContext } from '../contexts/index.js';
import type { DocumentLoader } from './jsonld-api.js';

/** Thrown into jsonld when a document names a context we do not bundle. */
export class ContextNotBundledError extends Error {
  constructor(readonly url: string) {
    super(`JSON-LD context ${url} is not bundled; remote contexts are never fetched`);
    this.name = 'ContextNotBundledError';
  }
}

/**
 * A jsonld document loader that answers only from the bundled contexts and refuses every other
 * URL without touching the network (no fetch, no DNS). `onRefused` learns which URL was refused,
 * since jsonld wraps loader errors in its own.
 */
export function createOfflineDocumentLoader(onRefused?: (url: string) => void): DocumentLoader {
  return (url: string) => {
    const document = findBundledContext(url);
    if (document === undefined) {
      onRefused?.(url);
      return Promise.reject(new ContextNotBundledError(url));
    }
    return Promise.resolve({ contextUrl: null, documentUrl: url, document });
  };
}
