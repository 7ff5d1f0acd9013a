/** How one fetch is made (safe-fetcher.ts), on its own so the helpers it uses can name it. */
export interface FetchHop {
  readonly url: URL;
  readonly method: string;
}

export interface FetchOptions {
  readonly method?: 'GET' | 'HEAD' | 'POST' | 'PUT';
  /**
   * Request headers, or a function called for every hop (a signed request must be signed again
   * for each redirect target). Static `Authorization`/`Cookie` headers are dropped when a
   * redirect leaves the first URL's origin.
   */
  readonly headers?: Readonly<Record<string, string>> | ((hop: FetchHop) => Readonly<Record<string, string>>);
  readonly body?: string | Buffer;
  /** refuse a 2xx response whose Content-Type is none of these (see isAcceptedContentType) */
  readonly contentTypes?: readonly string[];
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  readonly maxRedirects?: number;
  /** fetch even if this URL failed a moment ago */
  readonly bypassNegativeCache?: boolean;
}
