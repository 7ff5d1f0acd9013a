/** Why a remote fetch did not produce a usable response. Expected failures are values. */
export type FetchFailure =
  | { readonly type: 'bad-url'; readonly message: string }
  | {
      readonly type: 'blocked-address';
      readonly message: string;
      /** the address refused (after DNS), and the special-use range it is in */
      readonly address: string;
      readonly range: string;
    }
  | { readonly type: 'timeout'; readonly message: string; readonly phase: 'lookup' | 'connect' | 'response' }
  | { readonly type: 'too-large'; readonly message: string; readonly limit: number }
  | { readonly type: 'too-many-redirects'; readonly message: string; readonly limit: number }
  | {
      readonly type: 'http-error';
      readonly message: string;
      readonly status: number;
      /** the answer's Retry-After header (429, 503), as sent */
      readonly retryAfter?: string;
    }
  | { readonly type: 'bad-content-type'; readonly message: string; readonly contentType: string | undefined }
  | { readonly type: 'network'; readonly message: string };

export type FetchFailureType = FetchFailure['type'];

export interface FetchResponse {
  readonly ok: true;
  readonly status: number;
  /** lower-case names; repeated headers joined with ", " */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** the final URL, after redirects */
  readonly url: string;
}

export interface FetchRefusal {
  readonly ok: false;
  readonly reason: FetchFailure;
  /** true when the failure was answered from the negative cache, without a request */
  readonly fromNegativeCache?: boolean;
}

export type FetchResult = FetchResponse | FetchRefusal;
