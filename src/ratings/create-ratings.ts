import { createAccountOfActorStore } from '../accounts/remote-account-store.js';
import type { ActivitySender, RemoteActorResolver } from '../federation/follows.js';
import type { Auth } from '../http/auth.js';
import type { Logger } from '../lib/logger.js';
import type { VideoQueries } from '../videos/video-queries.js';
import { createRateHandlers } from './rate-handlers.js';
import { createRateFederation } from './rate-sender.js';
import { createRateQueryStore, createRateStore } from './rate-store.js';
import { ratingsRouter } from './ratings-router.js';
import { createRatingService } from './rating-service.js';

/** The ratings area: one rate per account and video, the REST API, the inbound Like/Dislike/Undo handlers. */
export function createRatings(deps: {
  /** the database client its stores are built over (only stores touch it) */
  prisma: Parameters<typeof createRateStore>[0];
  logger: Logger;
  sender: ActivitySender;
  resolver: RemoteActorResolver;
  /** one of our videos' counts changed: its followers get an Update */
  onLocalVideoRated(videoId: number): Promise<void>;
}) {
  const service = createRatingService({ rates: createRateStore(deps.prisma), federation: createRateFederation(deps.sender), logger: deps.logger, onLocalVideoRated: deps.onLocalVideoRated });
  return {
    service,
    /** the ids of a video's likes or dislikes (PeerTube lists the rate activities), for its collections */
    rateUrls: createRateQueryStore(deps.prisma).rateUrls,
    handlers: createRateHandlers({ ratings: service, resolver: deps.resolver, accounts: createAccountOfActorStore(deps.prisma) }),
    router: (r: { queries: Pick<VideoQueries, 'findByRef'>; auth: Auth }) => ratingsRouter({ ratings: service, ...r }),
  };
}
