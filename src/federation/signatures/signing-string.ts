import { getHeader, type HeaderMap } from './request-headers.js';

export interface SigningStringInput {
  readonly method: string;
  /** Path with query string, exactly as on the request line: `/inbox`, `/outbox?page=1`. */
  readonly path: string;
  readonly headers: HeaderMap;
  /** Lower-cased names to sign, in order, pseudo-headers included. */
  readonly signedHeaders: readonly string[];
  readonly created?: number | undefined;
  readonly expires?: number | undefined;
}

export type SigningStringResult =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly absent: string };

/**
 * The draft-cavage signing string (§2.3): one `name: value` line per signed header, joined by
 * `\n`; `(request-target)` is `<lower-case method> <path>`, `(created)`/`(expires)` the parameters.
 * Reports the first signed header the request does not carry.
 */
export function buildSigningString(input: SigningStringInput): SigningStringResult {
  const lines: string[] = [];
  for (const name of input.signedHeaders) {
    let value: string | undefined;
    if (name === '(request-target)') value = `${input.method.toLowerCase()} ${input.path}`;
    else if (name === '(created)') value = input.created?.toString();
    else if (name === '(expires)') value = input.expires?.toString();
    else value = getHeader(input.headers, name);
    if (value === undefined) return { ok: false, absent: name };
    lines.push(`${name}: ${value}`);
  }
  return { ok: true, value: lines.join('\n') };
}
