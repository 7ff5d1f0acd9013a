import { createRequire } from 'node:module';

// The part of `jsonld` (9.x, CommonJS, no bundled types) that the signature layer uses.

export interface JsonLdEvent {
  readonly code: string;
  readonly level: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type JsonLdEventHandler = (input: { event: JsonLdEvent; next: () => void }) => void;

export interface RemoteDocument {
  readonly contextUrl: string | null;
  readonly documentUrl: string;
  readonly document: unknown;
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

interface ProcessingOptions {
  readonly documentLoader: DocumentLoader;
  readonly safe?: boolean;
  readonly eventHandler?: JsonLdEventHandler;
}

export interface JsonLdApi {
  expand(input: unknown, options: ProcessingOptions): Promise<unknown[]>;
  canonize(
    input: unknown,
    options: ProcessingOptions & {
      readonly format: 'application/n-quads';
      readonly canonizeOptions?: { readonly algorithm: 'RDFC-1.0' };
    },
  ): Promise<string>;
}

const require = createRequire(import.meta.url);

/** The `jsonld` module, typed. Always call it with an explicit (offline) `documentLoader`. */
export const jsonld = require('jsonld') as JsonLdApi;
