/** Why an outbound request did not produce a usable answer. Expected failures are values. */
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

/** The caller's signal ended the request (a cancel, or the caller's own deadline). */
export interface AbortedFailure {
  readonly type: 'aborted';
  readonly message: string;
}

/** What a pinned request can fail with. */
export type NetFailure = FetchFailure | AbortedFailure;

export const aborted = (): AbortedFailure => ({ type: 'aborted', message: 'the download was cancelled' });

/** An error as one line, its code included once. */
export function describeError(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && typeof message === 'string') return message.includes(code) ? message : `${code}: ${message}`;
    if (typeof message === 'string') return message;
  }
  return String(err);
}
