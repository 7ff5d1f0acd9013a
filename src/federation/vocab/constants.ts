/** The ActivityStreams public collection (`to`/`cc`), as PeerTube writes it. */
export const AP_PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

/** Content type of every ActivityPub document we serve (PeerTube's exact header value). */
export const ACTIVITY_JSON_CONTENT_TYPE = 'application/activity+json; charset=utf-8';

/** PeerTube's `ACTIVITY_PUB.COLLECTION_ITEMS_PER_PAGE`. */
export const COLLECTION_PAGE_SIZE = 10;

/** PeerTube's `PAGINATION.OUTBOX.COUNT.MAX`: the largest `?size=` an outbox page accepts. */
export const OUTBOX_MAX_PAGE_SIZE = 50;

/** PeerTube's `CONSTRAINTS_FIELDS.ACTORS.URL.max`: longer URLs are refused. */
export const MAX_URL_LENGTH = 2000;

/** Upper bounds on arrays in documents we parse (a remote cannot make us walk huge arrays). */
export const PARSE_LIMITS = {
  /** `to` / `cc` */
  addresses: 1000,
  /** a Video's top-level `url` */
  videoUrls: 300,
  /** the tag list of an HLS link, and a Video's `tag` */
  tags: 300,
  icons: 20,
  attributedTo: 20,
} as const;
