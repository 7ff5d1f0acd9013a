import { createAccountOfActorStore } from '../accounts/index.js';
import type { ActivitySender, RemoteActorResolver } from '../federation/follows/follows.js';
import type { InboxDispatcher } from '../federation/inbox/inbox-dispatcher.js';
import type { SafeFetcher } from '../federation/remote/index.js';
import type { Auth } from '../http/auth.js';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import type { VideoQueries } from '../videos/video-queries.js';
import { commentApRouter } from './comment-ap-router.js';
import { createCommentHandlers } from './comment-handlers.js';
import { inboundNote } from './comment-note.js';
import { createCommentFederation } from './comment-sender.js';
import { createCommentService } from './comment-service.js';
import { createCommentQueryStore, createCommentStore } from './comment-store.js';
import { createPrismaActorStore } from '../accounts/index.js';
import { commentsRouter } from './comments-router.js';

/** The comments area: the store, the service, the inbound handlers (registered on `inbox`), the REST API and the AP GET of our Notes. */
export function createComments(deps: {
  /** the database client its stores are built over (only stores touch it) */
  prisma: Parameters<typeof createCommentStore>[0];
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  sender: ActivitySender;
  resolver: RemoteActorResolver;
  followerInboxes(localActorIds: number[]): Promise<string[]>;
  forwardActivity(rawBody: string, target: { signerActorId: number; inboxes: string[] }): Promise<unknown>;
  wakeDelivery(): void;
  /** the SSRF-safe fetcher: GETs a remote AP object (a reply's unknown parent) */
  fetcher: Pick<SafeFetcher, 'fetchJson'>;
  /** the inbox's table; federation's Delete handler is registered before (comments take the Deletes it skips) */
  inbox: InboxDispatcher;
}) {
  const store = createCommentStore(deps.prisma);
  const queries = createCommentQueryStore(deps.prisma);
  const commentUrl = (videoUuid: string, id: number) => `${deps.urls.base}/videos/watch/${videoUuid}/comments/${id}`;
  const federation = createCommentFederation({
    sender: deps.sender,
    followerInboxes: deps.followerInboxes,
    forwardActivity: deps.forwardActivity,
    wake: deps.wakeDelivery,
    instance: createPrismaActorStore(deps.prisma),
  });
  const fetchNote = async (url: string) => {
    const fetched = await deps.fetcher.fetchJson(url);
    const parsed = inboundNote.safeParse(fetched.ok ? fetched.json : null);
    return parsed.success ? parsed.data : null;
  };
  const service = createCommentService({ comments: store, federation, clock: deps.clock, logger: deps.logger, commentUrl, fetchNote });
  const handlers = createCommentHandlers({ comments: service, resolver: deps.resolver, accounts: createAccountOfActorStore(deps.prisma) });
  deps.inbox.on('Create', 'Note', handlers['Create:Note']);
  deps.inbox.orElse('Delete', handlers['Delete:other']);
  deps.inbox.on('ApproveReply', handlers.ApproveReply);
  return {
    service,
    /** the urls of a video's comments, newest last: what its `comments` collection lists */
    commentUrls: queries.commentUrls,
    apRouter: () => commentApRouter({ comments: store, commentUrl }),
    router: (r: { videos: Pick<VideoQueries, 'findByRef'>; auth: Auth }) => commentsRouter({ comments: service, queries, urls: deps.urls, ...r }),
  };
}

export type Comments = ReturnType<typeof createComments>;
