import type Koa from 'koa';
import { ACTIVITY_JSON_CONTENT_TYPE } from '../../federation/vocab/index.js';

const AP_TYPES = ['application/activity+json', 'application/ld+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'];

/**
 * PeerTube's executeIfActivityPub: the request is for ActivityPub when, among HTML, JSON and the
 * ActivityPub types, the best match of its Accept header is an ActivityPub type (no Accept, or
 * `*\/*`, means HTML).
 */
export function wantsActivityJson(ctx: Koa.Context): boolean {
  const best = ctx.accepts('html', 'application/json', ...AP_TYPES);
  return typeof best === 'string' && AP_TYPES.includes(best);
}

/**
 * For URLs that are both an HTML page and an ActivityPub document: marks the answer as depending
 * on Accept (PeerTube omits this; shared caches need it) and tells whether to answer ActivityPub.
 */
export function negotiateActivityJson(ctx: Koa.Context): boolean {
  ctx.vary('Accept');
  return wantsActivityJson(ctx);
}

/** Answers an ActivityPub document with PeerTube's content type, readable from any origin. */
export function sendActivityJson(ctx: Koa.Context, document: unknown): void {
  ctx.set('Access-Control-Allow-Origin', '*');
  ctx.type = ACTIVITY_JSON_CONTENT_TYPE;
  ctx.body = JSON.stringify(document);
}
