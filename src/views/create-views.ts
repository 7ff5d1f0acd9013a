import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstanceConfig } from '../config/index.js';
import type { ActivitySender } from '../federation/follows/follows.js';
import type { InboxDispatcher } from '../federation/inbox/inbox-dispatcher.js';
import type { Auth } from '../http/auth.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { VideoEventEmitter } from '../videos/video-events.js';
import type { VideoQueries } from '../videos/video-queries.js';
import { createViewHandler } from './view-handler.js';
import { createViewFederation } from './view-sender.js';
import { createViewCountStore, createViewerSessionStore, createViewTargetStore } from './view-store.js';
import { createViewerCounters } from './viewer-counters.js';
import { VIEWER_LIFETIME_MS } from './view-rules.js';
import { viewsRouter } from './views-router.js';
import { createViewsService } from './views-service.js';

/** A salt for the IP hashes, kept in the storage root so a restart keeps viewers' identities. */
async function viewerSalt(root: string): Promise<string> {
  const file = join(root, 'viewer-salt');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const salt = randomBytes(24).toString('hex');
    await writeFile(file, salt, { mode: 0o600 });
    return salt;
  }
}

/** The views area: counting, "watching now", the REST endpoint, the inbound View handler (registered on `inbox`), a periodic tick. */
export async function createViews(deps: {
  config: InstanceConfig;
  /** the database client its stores are built over (only stores touch it) */
  prisma: Parameters<typeof createViewCountStore>[0];
  clock: Clock;
  logger: Logger;
  sender: ActivitySender;
  /** inboxes of the followers of these local actors */
  followerInboxes(localActorIds: number[]): Promise<string[]>;
  inbox: InboxDispatcher;
  /** a view counted on one of our videos is emitted as `viewed`: its followers get the new count (debounced) */
  events: VideoEventEmitter;
}) {
  const v = deps.config.views.videos;
  const counters = createViewerCounters({ clock: deps.clock });
  const service = createViewsService({
    sessions: createViewerSessionStore(deps.prisma),
    counts: createViewCountStore(deps.prisma),
    counters,
    federation: createViewFederation({ targets: createViewTargetStore(deps.prisma), sender: deps.sender, followerInboxes: deps.followerInboxes }),
    clock: deps.clock,
    logger: deps.logger,
    settings: {
      viewExpirationMs: v.view_expiration,
      countViewAfterMs: v.count_view_after,
      trustViewerSessionId: v.trust_viewer_session_id,
      remoteMaxAgeMs: v.remote.max_age,
      salt: await viewerSalt(deps.config.storage.root),
    },
    onLocalViewCounted: (videoId) => deps.events.emit('viewed', videoId),
  });
  deps.inbox.on('View', createViewHandler(service));
  return {
    service,
    /** the REST `viewers` field */
    viewersOf: service.viewersOf,
    /** every two minutes (PeerTube's viewer lifetime): expire viewers, send our videos' viewer totals, forget old sessions */
    tickIntervalMs: VIEWER_LIFETIME_MS,
    tick: service.tick,
    router: (r: { queries: Pick<VideoQueries, 'findByRef'>; auth: Auth }) => viewsRouter({ views: service, ...r }),
  };
}

export type Views = Awaited<ReturnType<typeof createViews>>;
