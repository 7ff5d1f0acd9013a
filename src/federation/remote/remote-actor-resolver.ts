import type { Clock } from '../../lib/clock.js';
import { fail, ok } from '../../lib/result.js';
import type { RemoteActorResolver } from '../follows/follows.js';
import type { ActorLookup } from '../ports.js';
import type { ParseActor } from './actor-document.js';
import { remoteActorRecord, type RemoteActorStore } from './actor-store.js';
import type { SignWith } from './fetch-json.js';
import type { SafeFetcher } from './safe-fetcher.js';
import type { ResolveWebfinger } from './webfinger.js';

/**
 * Resolves remote actors (by URL, `name@host` handle, or instance host) through the safe fetcher,
 * stores them, and returns the Actor row. A stored actor younger than `maxAgeMs` is not fetched.
 */
export function createRemoteActorResolver(deps: {
  actors: Pick<ActorLookup, 'findByUrl' | 'findLocalByName'>;
  clock: Clock;
  fetcher: Pick<SafeFetcher, 'fetchJson'>;
  webfinger: ResolveWebfinger;
  store: RemoteActorStore;
  parseActor: ParseActor;
  signWith: () => Promise<SignWith>;
  maxAgeMs: number;
  /** our own host: our actors are never fetched */
  localHost: string;
}): RemoteActorResolver {
  const { actors } = deps;

  async function byUrl(url: string) {
    const stored = await actors.findByUrl(url);
    if (stored && (stored.host === null || (stored.lastFetchedAt && deps.clock.now().getTime() - stored.lastFetchedAt.getTime() < deps.maxAgeMs))) {
      return ok(stored);
    }
    const fetched = await deps.fetcher.fetchJson(url, { signWith: await deps.signWith() });
    if (!fetched.ok) {
      // a stale copy beats nothing while the remote is unreachable
      if (stored) return ok(stored);
      return fail({ type: fetched.reason.type, message: `cannot fetch ${url}: ${fetched.reason.message}` });
    }
    const parsed = deps.parseActor(fetched.json);
    if (!parsed.ok) return fail({ type: 'invalid-actor', message: `${url} is not a valid actor: ${parsed.message}` });
    const actor = parsed.actor;
    if (actor.url !== url && new URL(actor.url).host !== new URL(url).host) return fail({ type: 'invalid-actor', message: `${url} answered an actor of another host` });
    const key = actor.publicKeys.find((k) => k.owner === actor.url);
    if (!key) return fail({ type: 'invalid-actor', message: `${actor.url} publishes no key of its own` });
    const saved = await deps.store.saveRemoteActor(remoteActorRecord(actor, key, deps.clock.now()));
    if (!saved.ok) return fail({ type: saved.reason.type, message: saved.reason.detail });
    const row = await actors.findByUrl(actor.url);
    if (!row) throw new Error(`actor ${actor.url} was saved but is not found`);
    return ok(row);
  }

  return {
    async resolve(target) {
      if ('url' in target) return byUrl(target.url);
      const handle = 'handle' in target ? target.handle : `peertube@${target.host}`;
      const [name, host] = handle.split('@');
      if (host === deps.localHost) {
        const local = await actors.findLocalByName(name ?? '');
        return local ? ok(local) : fail({ type: 'not-found', message: `no local actor ${name}` });
      }
      const found = await deps.webfinger(handle);
      if (!found.ok) return fail({ type: found.reason.type, message: `cannot resolve ${handle}: ${found.reason.message}` });
      return byUrl(found.actorUrl);
    },
  };
}
