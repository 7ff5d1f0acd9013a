import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { signRequest } from '../signatures/index.js';
import { ACTIVITY_JSON_ACCEPT, ACTIVITY_JSON_CONTENT_TYPES } from './content-type.js';
import type { FetchFailure, FetchResult } from './fetch-result.js';
import { parseGuardedJson } from './json-guard.js';
import type { FetchOptions } from './fetch-options.js';

/** The actor a GET is signed as (PeerTube signs as its instance actor; keyId may be the bare actor URL). */
export interface SignWith {
  readonly keyId: string;
  readonly privateKeyPem: string | KeyObject;
}

export interface FetchJsonOptions {
  /** the Accept header; default ActivityPub (`application/activity+json, application/ld+json; profile=…`) */
  readonly accept?: string;
  /** accepted response media types; default activity+json, ld+json, json */
  readonly contentTypes?: readonly string[];
  /** sign the GET (draft-cavage over `(request-target) host date`), again on every redirect hop */
  readonly signWith?: SignWith;
  /** the clock for the signature's Date; default the fetcher's */
  readonly clock?: Clock;
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  /** deepest nesting accepted; default 32 */
  readonly maxDepth?: number;
  readonly bypassNegativeCache?: boolean;
}

export type FetchJsonFailure = FetchFailure | { readonly type: 'bad-json'; readonly message: string };

export type FetchJsonResult =
  | {
      readonly ok: true;
      readonly json: unknown;
      /** the final URL, after redirects: compare the document's `id` with it */
      readonly url: string;
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
    }
  | { readonly ok: false; readonly reason: FetchJsonFailure; readonly fromNegativeCache?: boolean };

export const DEFAULT_JSON_MAX_DEPTH = 32;

/** `fetchJson` over any `fetch` with the SafeFetcher's contract. */
export async function fetchJsonThrough(
  fetch: (url: string | URL, options?: FetchOptions) => Promise<FetchResult>,
  defaultClock: Clock,
  url: string | URL,
  options: FetchJsonOptions,
): Promise<FetchJsonResult> {
  const clock = options.clock ?? defaultClock;
  const accept = options.accept ?? ACTIVITY_JSON_ACCEPT;
  const signWith = options.signWith;
  const result = await fetch(url, {
    method: 'GET',
    headers: ({ url: hopUrl }) =>
      signWith === undefined
        ? { accept }
        : {
            accept,
            ...signRequest({ method: 'GET', url: hopUrl, keyId: signWith.keyId, privateKeyPem: signWith.privateKeyPem, now: clock.now() }),
          },
    contentTypes: options.contentTypes ?? ACTIVITY_JSON_CONTENT_TYPES,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.bypassNegativeCache === undefined ? {} : { bypassNegativeCache: options.bypassNegativeCache }),
  });
  if (!result.ok) return result;
  const parsed = parseGuardedJson(result.body.toString('utf8'), options.maxDepth ?? DEFAULT_JSON_MAX_DEPTH);
  if (!parsed.ok) return { ok: false, reason: { type: 'bad-json', message: `${result.url}: ${parsed.reason.message}` } };
  return { ok: true, json: parsed.value, url: result.url, status: result.status, headers: result.headers };
}
