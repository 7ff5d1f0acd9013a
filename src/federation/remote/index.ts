// Public API of remote fetching: the SSRF-safe fetcher everything remote goes through, JSON and
// signed GETs, WebFinger, and the public-key resolver behind the signature layer's FetchPublicKey.
export { createSafeFetcher, type SafeFetcher, type SafeFetcherOptions, type FetchOptions, type FetchHop } from './safe-fetcher.js';
export type { FetchResult, FetchResponse, FetchRefusal, FetchFailure, FetchFailureType } from './fetch-result.js';
export { DEFAULT_JSON_MAX_DEPTH, type FetchJsonOptions, type FetchJsonResult, type FetchJsonFailure, type SignWith } from './fetch-json.js';
export {
  ACTIVITY_JSON_ACCEPT,
  ACTIVITY_JSON_CONTENT_TYPES,
  JRD_ACCEPT,
  JRD_CONTENT_TYPES,
  isAcceptedContentType,
} from './content-type.js';
export { classifyAddress, type AddressVerdict, type SpecialUseRange } from '../../net/index.js';
export { parseRemoteUrl, type ParseRemoteUrlResult, type RemoteHost } from '../../net/index.js';
export { resolveDestination, type DestinationPolicy, type DestinationResult } from '../../net/index.js';
export { systemLookup, type LookupAddresses, type ResolvedAddress } from '../../net/index.js';
export { createNegativeCache, type NegativeCache } from './negative-cache.js';
export { parseGuardedJson, type GuardedJsonResult } from './json-guard.js';
export {
  resolveWebfinger,
  createWebfingerResolver,
  parseAccountHandle,
  type ResolveWebfinger,
  type WebfingerDeps,
  type WebfingerResult,
  type WebfingerFailure,
} from './webfinger.js';
export {
  parseActorDocument,
  parseKeyDocument,
  type ParseActor,
  type ParseActorResult,
  type FetchedActor,
  type PublishedKey,
} from './actor-document.js';
export type { RemoteActorStore, RemoteActorRecord, StoredActorKey, SaveRemoteActorResult } from './actor-store.js';
export { remoteActorRecord } from './actor-store.js';
export { createPrismaActorStore } from './prisma-actor-store.js';
export { createMemoryActorStore, type LocalActorKey } from './memory-actor-store.js';
export { createPublicKeyResolver, type PublicKeyResolverOptions, type KeyResolutionFailureType } from './public-key-resolver.js';
export { createRemoteActorResolver } from './remote-actor-resolver.js';
