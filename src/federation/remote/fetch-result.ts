import type { FetchFailure } from '../../net/index.js';

export type { FetchFailure, FetchFailureType } from '../../net/index.js';

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
