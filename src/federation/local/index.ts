// This instance's actors, videos and collections as ActivityPub documents: database lookups (local
// objects only, never a remote one) feeding the pure builders of ../vocab.
export { buildLocalDocuments, type LocalDocuments, type LocalVideoQueries, type RedundanciesOf } from './local-documents.js';
export { createLocalDocuments } from './local-document-store.js';
export { countersOnly, type InteractionItems, type VideoInteraction, type VideoInteractionItems } from './video-interaction-collections.js';
export { actorObjectInput, type LocalActor, type LocalActorQueries } from './local-actors.js';
export { createLocalActorQueries } from './local-actor-store.js';
export { createLocalVideoQueries } from './local-video-store.js';
export {
  videoObjectInput,
  localVideoAudience,
  videoForActivityPubInclude,
  type VideoForActivityPub,
  type MagnetBuilder,
} from './video-object-input.js';
export { nodeUsage, type NodeUsage } from './node-usage-store.js';
export { localHlsCacheFile, localHlsCopyBaseUrl } from './local-cache-files.js';
export { createLocalCacheFiles, type LocalCacheFiles } from './local-cache-file-store.js';
