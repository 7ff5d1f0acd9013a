import { z } from 'zod';
import { JRD_ACCEPT, JRD_CONTENT_TYPES } from './content-type.js';
import type { FetchJsonFailure } from './fetch-json.js';
import type { SafeFetcher } from './safe-fetcher.js';

export type WebfingerFailure =
  | { readonly type: 'bad-handle'; readonly message: string }
  | { readonly type: 'webfinger-fetch'; readonly message: string; readonly cause: FetchJsonFailure }
  | { readonly type: 'bad-webfinger'; readonly message: string }
  | { readonly type: 'no-actor-link'; readonly message: string };

export type WebfingerResult =
  | { readonly ok: true; readonly actorUrl: string; readonly subject: string | undefined }
  | { readonly ok: false; readonly reason: WebfingerFailure };

export type ResolveWebfinger = (handle: string) => Promise<WebfingerResult>;

export interface WebfingerDeps {
  readonly fetcher: Pick<SafeFetcher, 'fetchJson'>;
  /** http only for configured local test hosts; default https for every host */
  readonly scheme?: (host: string) => 'http' | 'https';
}

const ACTOR_LINK_TYPES = new Set(['application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']);

const jrdSchema = z.object({
  subject: z.string().max(2048).optional(),
  links: z
    .array(
      z.looseObject({
        rel: z.string().max(512),
        type: z.string().max(512).optional(),
        href: z.string().max(4096).optional(),
      }),
    )
    .max(100)
    .default([]),
});

const NAME = /^[^\s@/?#:\\]+$/;

/** Splits `name@host`, `@name@host` or `acct:name@host` (host may carry a port). */
export function parseAccountHandle(handle: string): { name: string; host: string } | undefined {
  const bare = handle.replace(/^acct:/i, '').replace(/^@/, '');
  const at = bare.lastIndexOf('@');
  if (at <= 0) return undefined;
  const name = bare.slice(0, at);
  const rawHost = bare.slice(at + 1);
  if (!NAME.test(name) || name.length > 255) return undefined;
  // a plain host[:port]: no path, query, credentials or whitespace to smuggle into the URL
  if (rawHost === '' || /[\s/?#@\\%]/.test(rawHost)) return undefined;
  let url: URL;
  try {
    url = new URL(`https://${rawHost}/`);
  } catch {
    return undefined;
  }
  const host = url.host;
  return { name, host };
}

/**
 * WebFinger: `name@host` to the URL of its ActivityPub actor (the `self` link of type
 * activity+json), fetched through the safe fetcher, over https unless `scheme` says otherwise.
 */
export async function resolveWebfinger(handle: string, deps: WebfingerDeps): Promise<WebfingerResult> {
  const account = parseAccountHandle(handle);
  if (account === undefined) return { ok: false, reason: { type: 'bad-handle', message: `not a name@host handle: ${handle.slice(0, 200)}` } };
  const scheme = deps.scheme?.(account.host) ?? 'https';
  const resource = `acct:${account.name}@${account.host}`;
  const url = `${scheme}://${account.host}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`;
  const fetched = await deps.fetcher.fetchJson(url, { accept: JRD_ACCEPT, contentTypes: JRD_CONTENT_TYPES, maxDepth: 8 });
  if (!fetched.ok) {
    return { ok: false, reason: { type: 'webfinger-fetch', message: `WebFinger for ${resource}: ${fetched.reason.message}`, cause: fetched.reason } };
  }
  const jrd = jrdSchema.safeParse(fetched.json);
  if (!jrd.success) return { ok: false, reason: { type: 'bad-webfinger', message: `WebFinger for ${resource}: ${jrd.error.issues[0]?.message ?? 'bad JRD'}` } };
  for (const link of jrd.data.links) {
    if (link.rel !== 'self' || link.type === undefined || link.href === undefined) continue;
    if (!ACTOR_LINK_TYPES.has(link.type.replace(/\s*;\s*/g, '; '))) continue;
    let href: URL;
    try {
      href = new URL(link.href);
    } catch {
      continue;
    }
    if (href.protocol !== 'https:' && href.protocol !== 'http:') continue;
    return { ok: true, actorUrl: href.href, subject: jrd.data.subject };
  }
  return { ok: false, reason: { type: 'no-actor-link', message: `WebFinger for ${resource} has no ActivityPub self link` } };
}

export function createWebfingerResolver(deps: WebfingerDeps): ResolveWebfinger {
  return (handle) => resolveWebfinger(handle, deps);
}
