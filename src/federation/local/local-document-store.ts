import type { Prisma } from '../../db/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import { createPrismaActorLookupStore } from '../actor-lookup-store.js';
import { createPrismaFollowStore } from '../follows/follow-store.js';
import { createLocalActorQueries } from './local-actor-store.js';
import { buildLocalDocuments, type LocalDocuments, type RedundanciesOf } from './local-documents.js';
import { createLocalVideoQueries } from './local-video-store.js';
import type { VideoInteractionItems } from './video-interaction-collections.js';
import type { MagnetBuilder } from './video-object-input.js';

/** The local documents over the database: the stores they read, built from the Prisma client. */
export function createLocalDocuments(deps: { prisma: Prisma; urls: InstanceUrls; magnet: MagnetBuilder; redundanciesOf?: RedundanciesOf; interactions?: VideoInteractionItems }): LocalDocuments {
  const { prisma, ...rest } = deps;
  return buildLocalDocuments({
    ...rest,
    stores: { actors: createLocalActorQueries(prisma), videos: createLocalVideoQueries(prisma), follows: createPrismaFollowStore(prisma), actorLookup: createPrismaActorLookupStore(prisma) },
  });
}
