/**
 * The `@context` arrays PeerTube 6.3 puts on each kind of document (its `contextStore`), so our
 * documents canonicalise (and LD-sign) exactly like PeerTube's. Checked against real captures.
 */
export type ContextKind =
  | 'Video'
  | 'CacheFile'
  | 'Actor'
  | 'View'
  | 'Comment'
  | 'ApproveReply'
  | 'RejectReply'
  | 'Chapters'
  | 'Collection'
  | 'Follow'
  | 'Accept'
  | 'Reject'
  | 'Announce'
  | 'Delete'
  | 'Rate';

type ContextTerm = string | { '@type': string; '@id': string } | { '@id': string; '@type': string };
export type JsonLdContext = (string | Record<string, ContextTerm>)[];

const num = (id: string) => ({ '@type': 'sc:Number', '@id': id });
const bool = (id: string) => ({ '@type': 'sc:Boolean', '@id': id });
const idRef = (id: string) => ({ '@id': id, '@type': '@id' });

const EXTRA_TERMS: Partial<Record<ContextKind, Record<string, ContextTerm>>> = {
  Video: {
    Hashtag: 'as:Hashtag',
    category: 'sc:category',
    licence: 'sc:license',
    subtitleLanguage: 'sc:subtitleLanguage',
    automaticallyGenerated: 'pt:automaticallyGenerated',
    sensitive: 'as:sensitive',
    language: 'sc:inLanguage',
    identifier: 'sc:identifier',
    isLiveBroadcast: 'sc:isLiveBroadcast',
    liveSaveReplay: bool('pt:liveSaveReplay'),
    permanentLive: bool('pt:permanentLive'),
    latencyMode: num('pt:latencyMode'),
    Infohash: 'pt:Infohash',
    tileWidth: num('pt:tileWidth'),
    tileHeight: num('pt:tileHeight'),
    tileDuration: num('pt:tileDuration'),
    aspectRatio: { '@type': 'sc:Float', '@id': 'pt:aspectRatio' },
    uuid: { '@type': 'sc:identifier', '@id': 'pt:uuid' },
    originallyPublishedAt: 'sc:datePublished',
    uploadDate: 'sc:uploadDate',
    hasParts: 'sc:hasParts',
    views: num('pt:views'),
    state: num('pt:state'),
    size: num('pt:size'),
    fps: num('pt:fps'),
    commentsEnabled: bool('pt:commentsEnabled'),
    canReply: 'pt:canReply',
    commentsPolicy: num('pt:commentsPolicy'),
    downloadEnabled: bool('pt:downloadEnabled'),
    waitTranscoding: bool('pt:waitTranscoding'),
    support: { '@type': 'sc:Text', '@id': 'pt:support' },
    likes: idRef('as:likes'),
    dislikes: idRef('as:dislikes'),
    shares: idRef('as:shares'),
    comments: idRef('as:comments'),
    PropertyValue: 'sc:PropertyValue',
    value: 'sc:value',
  },
  CacheFile: {
    expires: 'sc:expires',
    CacheFile: 'pt:CacheFile',
    size: num('pt:size'),
    fps: num('pt:fps'),
  },
  Actor: {
    playlists: idRef('pt:playlists'),
    support: { '@type': 'sc:Text', '@id': 'pt:support' },
    lemmy: 'https://join-lemmy.org/ns#',
    postingRestrictedToMods: 'lemmy:postingRestrictedToMods',
    icons: 'as:icon',
  },
  View: {
    WatchAction: 'sc:WatchAction',
    InteractionCounter: 'sc:InteractionCounter',
    interactionType: 'sc:interactionType',
    userInteractionCount: 'sc:userInteractionCount',
  },
  Comment: { replyApproval: 'pt:replyApproval' },
  ApproveReply: { ApproveReply: 'pt:ApproveReply' },
  RejectReply: { RejectReply: 'pt:RejectReply' },
  Chapters: { hasPart: 'sc:hasPart', endOffset: 'sc:endOffset', startOffset: 'sc:startOffset' },
};

/** The `@context` PeerTube uses for this kind of document (a fresh array each call). */
export function contextFor(kind: ContextKind): JsonLdContext {
  const base: JsonLdContext = [
    'https://www.w3.org/ns/activitystreams',
    'https://w3id.org/security/v1',
    { RsaSignature2017: 'https://w3id.org/security#RsaSignature2017' },
  ];
  const extra = EXTRA_TERMS[kind];
  if (!extra) return base;
  return [...base, { pt: 'https://joinpeertube.org/ns#', sc: 'http://schema.org/', ...structuredClone(extra) }];
}

/** `{ '@context': …, ...document }`: the context first, as PeerTube serialises it. */
export function withContext<T extends object>(document: T, kind: ContextKind): { '@context': JsonLdContext } & T {
  return { '@context': contextFor(kind), ...document };
}
