import type { LocalActor } from '../../federation/local/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';

/** What a webfinger `resource` names, if it can name one of our actors. */
export type WebfingerResource = { kind: 'name'; name: string } | { kind: 'url'; url: string };

export type WebfingerRefusal = { type: 'missing-resource' } | { type: 'malformed-resource' } | { type: 'other-host'; host: string };

/** Our host as written in handles, also with the scheme's default port (PeerTube's sanitizeHost). */
function isOurHost(host: string, urls: InstanceUrls): boolean {
  const ours = urls.host.toLowerCase();
  const given = host.toLowerCase();
  const defaultPort = urls.base.startsWith('https:') ? ':443' : ':80';
  return given === ours || given === `${ours}${defaultPort}`;
}

/** `acct:name@host` (or `name@host`), or one of our actor URLs. */
export function parseWebfingerResource(resource: unknown, urls: InstanceUrls): { ok: true; value: WebfingerResource } | { ok: false; reason: WebfingerRefusal } {
  if (typeof resource !== 'string' || resource.length === 0) return { ok: false, reason: { type: 'missing-resource' } };
  if (resource.length > 2000) return { ok: false, reason: { type: 'malformed-resource' } };
  if (resource.startsWith('http://') || resource.startsWith('https://')) {
    if (!resource.startsWith(`${urls.base}/`)) return { ok: false, reason: { type: 'other-host', host: resource.split('/')[2] ?? '' } };
    return { ok: true, value: { kind: 'url', url: resource } };
  }
  const handle = resource.startsWith('acct:') ? resource.slice(5) : resource;
  const parts = handle.split('@');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: { type: 'malformed-resource' } };
  if (!isOurHost(parts[1], urls)) return { ok: false, reason: { type: 'other-host', host: parts[1] } };
  return { ok: true, value: { kind: 'name', name: parts[0] } };
}

/** The JRD PeerTube answers (webfinger-*.txt): subject, the actor URL as alias and `self` link, the subscribe template. */
export function buildWebfinger(subject: string, actor: LocalActor, urls: InstanceUrls) {
  return {
    subject,
    aliases: [actor.row.url],
    links: [
      { rel: 'self', type: 'application/activity+json', href: actor.row.url },
      { rel: 'http://ostatus.org/schema/1.0/subscribe', template: `${urls.base}/remote-interaction?uri={uri}` },
    ],
  };
}
