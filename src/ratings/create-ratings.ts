import { createAccountOfActorStore } from '../accounts/index.js';
import type { ActivitySender, RemoteActorResolver } from '../federation/follows/follows.js';
import type { InboxDispatcher } from '../federation/inbox/inbox-dispatcher.js';
import type { Auth } from '../http/auth.js';
import type { Logger } from '../lib/logger.js';
import type { VideoEventEmitter } from '../videos/video-events.js';
import type { VideoQueries } from '../videos/video-queries.js';
import { createRateHandlers } from './rate-handlers.js';
import { createRateFederation } from './rate-sender.js';
import { createRateQueryStore, createRateStore } from './rate-store.js';
import { ratingsRouter } from './ratings-router.js';
import { createRatingService } from './rating-service.js';

/** The ratings area: one rate per account and video, the REST API, the inbound Like/Dislike/Undo handlers (registered on `inbox`). */
export function createRatings(deps: {
  /** the database client its stores are built over (only stores touch it) */
  prisma: Parameters<typeof createRateStore>[0];
  logger: Logger;
  sender: ActivitySender;
  resolver: RemoteActorResolver;
  inbox: InboxDispatcher;
  /** one of our videos' counts changed: emitted as `updated` (its followers get an Update) */
  events: VideoEventEmitter;
}) {
  const service = createRatingService({
    rates: createRateStore(deps.prisma),
    federation: createRateFederation(deps.sender),
    logger: deps.logger,
    onLocalVideoRated: (videoId) => deps.events.emit('updated', videoId),
  });
  const handlers = createRateHandlers({ ratings: service, resolver: deps.resolver, accounts: createAccountOfActorStore(deps.prisma) });
  deps.inbox.on('Like', handlers.Like);
  deps.inbox.on('Dislike', handlers.Dislike);
  deps.inbox.on('Undo', 'Like', handlers['Undo:Like']);
  deps.inbox.on('Undo', 'Dislike', handlers['Undo:Dislike']);
  return {
    service,
    /** the ids of a video's likes or dislikes (PeerTube lists the rate activities), for its collections */
    rateUrls: createRateQueryStore(deps.prisma).rateUrls,
    router: (r: { queries: Pick<VideoQueries, 'findByRef'>; auth: Auth }) => ratingsRouter({ ratings: service, ...r }),
  };
}

export type Ratings = ReturnType<typeof createRatings>;
