import { createFollowService, type ActivitySender, type RemoteActorResolver } from '../../../src/federation/follows/follows.js';
import type { ActorRecord } from '../../../src/federation/ports.js';
import { buildAccept, buildFollow, buildReject, buildUndo, withContext } from '../../../src/federation/vocab/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createInstanceUrls } from '../../../src/lib/instance-urls.js';
import { createLogger } from '../../../src/lib/logger.js';
import { fail, ok } from '../../../src/lib/result.js';
import type { Transactor, Tx } from '../../../src/lib/tx.js';
import { createMemoryActors } from './actor-lookup-store.js';
import { createMemoryFollowStore } from './follow-store.js';

export interface SentActivity {
  activity: Record<string, unknown>;
  signerActorId: number;
  inboxes: string[];
  /** the transaction it was sent in (undefined: none) */
  tx: Tx | undefined;
}

/** A transactor whose transactions are numbered tokens, so tests can see what ran inside one. */
export function createCountingTransactor(): Transactor & { opened: number } {
  const t = {
    opened: 0,
    transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      t.opened++;
      return work({ transaction: t.opened } as unknown as Tx);
    },
  };
  return t;
}

/**
 * The follow service of an instance at local.test over in-memory stores, with an instance actor, a
 * resolver over the actor table (plus hosts/URLs marked unreachable) and a sender that records.
 */
export function createFollowHarness(config: Partial<{ followersEnabled: boolean; manualApproval: boolean; autoFollowBack: boolean }> = {}) {
  const clock = createManualClock(new Date('2026-12-07T12:00:00Z'));
  const urls = createInstanceUrls({ https: false, hostname: 'local.test', port: 80 });
  const actors = createMemoryActors();
  const store = createMemoryFollowStore(actors, clock);
  const me = actors.add({ url: `${urls.base}/accounts/peertube`, preferredUsername: 'peertube', type: 'Application', inboxUrl: `${urls.base}/accounts/peertube/inbox`, sharedInboxUrl: `${urls.base}/inbox` });
  const unreachable = new Set<string>();
  const sent: SentActivity[] = [];
  const transactor = createCountingTransactor();

  const resolver: RemoteActorResolver = {
    async resolve(target) {
      const key = 'url' in target ? target.url : 'handle' in target ? target.handle : target.host;
      if (unreachable.has(key)) return fail({ type: 'unreachable', message: `${key} is down` });
      const [name, host] = 'url' in target ? [undefined, undefined] : 'handle' in target ? target.handle.split('@') : ['peertube', target.host];
      const found = actors.rows.find((a) => ('url' in target ? a.url === target.url : a.preferredUsername === name && (a.host ?? urls.host) === host));
      return found ? ok({ ...found }) : fail({ type: 'not-found', message: `no actor ${key}` });
    },
  };
  const sender: ActivitySender = {
    async send(activity, options, tx) {
      sent.push({ activity, signerActorId: options.signerActorId, inboxes: [...options.inboxes], tx });
    },
  };

  const follows = createFollowService({
    store,
    actors: actors.lookup,
    transactor,
    clock,
    urls,
    logger: createLogger({ level: 'silent' }),
    resolver,
    sender,
    activities: {
      follow: (i) => withContext(buildFollow(i), 'Follow'),
      accept: (i) => withContext(buildAccept(i), 'Accept'),
      reject: (i) => withContext(buildReject(i), 'Reject'),
      undo: (i) => withContext(buildUndo(i), 'Follow'),
    },
    config: { followersEnabled: true, manualApproval: false, autoFollowBack: false, ...config },
  });

  /** A remote instance actor (`peertube@host`, an Application) with its own and shared inbox. */
  const remoteInstance = (host: string, extra: Partial<ActorRecord> = {}) =>
    actors.add({ url: `http://${host}/accounts/peertube`, preferredUsername: 'peertube', host, type: 'Application', inboxUrl: `http://${host}/accounts/peertube/inbox`, sharedInboxUrl: `http://${host}/inbox`, ...extra });

  return { clock, urls, actors, store, me, unreachable, sent, transactor, resolver, sender, follows, remoteInstance };
}

export type FollowHarness = ReturnType<typeof createFollowHarness>;
