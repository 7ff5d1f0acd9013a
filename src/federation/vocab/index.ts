// ActivityPub vocabulary, pure: builders for what we publish (PeerTube 6.3's exact shapes) and zod
// parsers for what we receive (typed refusals, bounded arrays). No I/O, no database rows.
export { AP_PUBLIC, ACTIVITY_JSON_CONTENT_TYPE, COLLECTION_PAGE_SIZE, OUTBOX_MAX_PAGE_SIZE, PARSE_LIMITS } from './constants.js';
export { contextFor, withContext, type ContextKind, type JsonLdContext } from './context.js';
export {
  audiencify,
  audienceFromFollowersOf,
  directAudience,
  includesPublic,
  publicAudience,
  unlistedAudience,
  videoAudience,
  type Audience,
} from './audience.js';
export { activityIds, toIso } from './activity-ids.js';
export { parseActivityStreamDuration, toActivityStreamDuration } from './duration.js';

// builders
export { buildActorObject, type ActorObject, type ActorObjectInput, type LocalActorType } from './actor-object.js';
export { buildVideoObject, type HlsPlaylistInput, type Labelled, type VideoImageInput, type VideoObject, type VideoObjectInput } from './video-object.js';
export { buildVideoFileLinks, type VideoFileInput } from './video-file-links.js';
export { buildAnnounce, buildCreate, buildDelete, buildDislike, buildLike, buildUndo, buildUpdate, buildView } from './activities.js';
export { buildAccept, buildFollow, buildReject, type FollowActivity } from './follow-activities.js';
export { buildHlsCacheFile, LIVE_RELAY_FIELD, type HlsCacheFileObject } from './cache-file.js';
export { buildOrderedCollection, buildOrderedCollectionPage, pageWindow } from './collection.js';

// parsers
export { describeRefusal, type VocabRefusal } from './refusal.js';
export { isApUrl } from './ap-schemas.js';
export { readMagnetUri } from './magnet.js';
export { ACTIVITY_TYPES, parseActivity, type ActivityType, type LdSignatureBlock, type ParsedActivity } from './parse-activity.js';
export { ACTOR_TYPES, parseActor, type ActorType, type RemoteActor } from './parse-actor.js';
export { parseVideoObject, type RemoteHlsPlaylist, type RemoteVideo, type RemoteVideoFile } from './parse-video.js';
export { parseCacheFile, type RemoteCacheFile } from './parse-cache-file.js';
