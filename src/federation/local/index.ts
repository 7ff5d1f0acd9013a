// This instance's actors, videos and collections as ActivityPub documents: database lookups (local
// objects only, never a remote one) feeding the pure builders of ../vocab.
export { createLocalDocuments, type LocalDocuments, type RedundanciesOf } from './local-documents.js';
export { countersOnly, type InteractionItems, type VideoInteraction, type VideoInteractionItems } from './video-interaction-collections.js';
export { createLocalActorQueries, actorObjectInput, type LocalActor, type LocalActorQueries } from './local-actors.js';
export { createLocalVideoQueries, type LocalVideoQueries } from './local-videos.js';
export {
  videoObjectInput,
  localVideoAudience,
  videoForActivityPubInclude,
  type VideoForActivityPub,
  type MagnetBuilder,
} from './video-object-input.js';
export { nodeUsage, type NodeUsage } from './node-usage.js';
export { createLocalCacheFiles, localHlsCacheFile, localHlsCopyBaseUrl, type LocalCacheFiles } from './local-cache-files.js';
