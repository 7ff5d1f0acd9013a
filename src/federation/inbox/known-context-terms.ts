/**
 * The inline `@context` term definitions real PeerTube 6.3 (and the Mastodon terms it copies)
 * sends, exactly as sent: every one seen in ../shared/reference/peertube (real/, session-2/,
 * ap-json/), and `RejectReply` of PeerTube's context store (ours: vocab/context.ts). Nothing here redefines an ActivityStreams or security term: the `as:` aliases map
 * to the IRI the AS context itself gives that name (`likes`, `shares`, `sensitive`, …) or add a
 * new name for one (`icons`). An activity accepted on its LD signature may carry only these.
 */
const KNOWN: Readonly<Record<string, readonly unknown[]>> = {
  RsaSignature2017: ['https://w3id.org/security#RsaSignature2017'],
  pt: ['https://joinpeertube.org/ns#'],
  sc: ['http://schema.org/'],
  schema: ['http://schema.org#'],
  toot: ['http://joinmastodon.org/ns#'],
  ostatus: ['http://ostatus.org#'],
  lemmy: ['https://join-lemmy.org/ns#'],
  ApproveReply: ['pt:ApproveReply'],
  RejectReply: ['pt:RejectReply'],
  CacheFile: ['pt:CacheFile'],
  Infohash: ['pt:Infohash'],
  Emoji: ['toot:Emoji'],
  Hashtag: ['as:Hashtag'],
  InteractionCounter: ['sc:InteractionCounter'],
  WatchAction: ['sc:WatchAction'],
  PropertyValue: ['sc:PropertyValue', 'schema:PropertyValue'],
  value: ['sc:value', 'schema:value'],
  atomUri: ['ostatus:atomUri'],
  inReplyToAtomUri: ['ostatus:inReplyToAtomUri'],
  conversation: ['ostatus:conversation'],
  automaticallyGenerated: ['pt:automaticallyGenerated'],
  canReply: ['pt:canReply'],
  replyApproval: ['pt:replyApproval'],
  category: ['sc:category'],
  licence: ['sc:license'],
  language: ['sc:inLanguage'],
  identifier: ['sc:identifier'],
  subtitleLanguage: ['sc:subtitleLanguage'],
  isLiveBroadcast: ['sc:isLiveBroadcast'],
  originallyPublishedAt: ['sc:datePublished'],
  uploadDate: ['sc:uploadDate'],
  hasPart: ['sc:hasPart'],
  hasParts: ['sc:hasParts'],
  startOffset: ['sc:startOffset'],
  endOffset: ['sc:endOffset'],
  expires: ['sc:expires'],
  interactionType: ['sc:interactionType'],
  userInteractionCount: ['sc:userInteractionCount'],
  postingRestrictedToMods: ['lemmy:postingRestrictedToMods'],
  sensitive: ['as:sensitive'],
  manuallyApprovesFollowers: ['as:manuallyApprovesFollowers'],
  icons: ['as:icon'],
  likes: [{ '@id': 'as:likes', '@type': '@id' }],
  dislikes: [{ '@id': 'as:dislikes', '@type': '@id' }],
  shares: [{ '@id': 'as:shares', '@type': '@id' }],
  comments: [{ '@id': 'as:comments', '@type': '@id' }],
  movedTo: [{ '@id': 'as:movedTo', '@type': '@id' }],
  playlists: [{ '@id': 'pt:playlists', '@type': '@id' }],
  featured: [{ '@id': 'toot:featured', '@type': '@id' }],
  focalPoint: [{ '@container': '@list', '@id': 'toot:focalPoint' }],
  aspectRatio: [{ '@id': 'pt:aspectRatio', '@type': 'sc:Float' }],
  uuid: [{ '@id': 'pt:uuid', '@type': 'sc:identifier' }],
  support: [{ '@id': 'pt:support', '@type': 'sc:Text' }],
  commentsEnabled: [{ '@id': 'pt:commentsEnabled', '@type': 'sc:Boolean' }],
  downloadEnabled: [{ '@id': 'pt:downloadEnabled', '@type': 'sc:Boolean' }],
  waitTranscoding: [{ '@id': 'pt:waitTranscoding', '@type': 'sc:Boolean' }],
  liveSaveReplay: [{ '@id': 'pt:liveSaveReplay', '@type': 'sc:Boolean' }],
  permanentLive: [{ '@id': 'pt:permanentLive', '@type': 'sc:Boolean' }],
  commentsPolicy: [{ '@id': 'pt:commentsPolicy', '@type': 'sc:Number' }],
  latencyMode: [{ '@id': 'pt:latencyMode', '@type': 'sc:Number' }],
  tileWidth: [{ '@id': 'pt:tileWidth', '@type': 'sc:Number' }],
  tileHeight: [{ '@id': 'pt:tileHeight', '@type': 'sc:Number' }],
  tileDuration: [{ '@id': 'pt:tileDuration', '@type': 'sc:Number' }],
  views: [{ '@id': 'pt:views', '@type': 'sc:Number' }],
  state: [{ '@id': 'pt:state', '@type': 'sc:Number' }],
  size: [{ '@id': 'pt:size', '@type': 'sc:Number' }],
  fps: [{ '@id': 'pt:fps', '@type': 'sc:Number' }],
};

/** A definition in a canonical text form (object keys sorted), for exact comparison. */
function canonical(definition: unknown): string {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) return JSON.stringify(definition);
  const record = definition as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]])));
}

const KNOWN_CANONICAL: ReadonlyMap<string, ReadonlySet<string>> = new Map(Object.entries(KNOWN).map(([term, defs]) => [term, new Set(defs.map(canonical))]));

/** Whether `term: definition` is one of the known harmless extension terms, exactly. */
export function isKnownTermDefinition(term: string, definition: unknown): boolean {
  const known = KNOWN_CANONICAL.get(term);
  return known !== undefined && known.has(canonical(definition));
}
