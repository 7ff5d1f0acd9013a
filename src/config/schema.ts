import { z } from 'zod';
import { parseBytes, parseDuration } from '../lib/units.js';
import { ratesLimitSchema, trustProxySchema } from './rates-limit-schema.js';

const bytes = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = parseBytes(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: `not a size: ${JSON.stringify(v)} (use bytes or e.g. "10GB")` });
    return z.NEVER;
  }
  return n;
});

const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = parseDuration(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)} (use milliseconds or e.g. "30 seconds")` });
    return z.NEVER;
  }
  return n;
});

const port = z.number().int().min(0).max(65535);
const nullableString = z.string().min(1).nullable();

export const RESOLUTION_KEYS = ['0p', '144p', '240p', '360p', '480p', '720p', '1080p', '1440p', '2160p'] as const;
export type ResolutionKey = (typeof RESOLUTION_KEYS)[number];

const resolutions = z.strictObject(
  Object.fromEntries(RESOLUTION_KEYS.map((k) => [k, z.boolean()])) as Record<ResolutionKey, z.ZodBoolean>,
);

/**
 * The whole configuration. Every key is documented in config/default.yaml; keys follow PeerTube's
 * names wherever PeerTube has the setting. Objects are strict: an unknown key stops start-up.
 */
const objectBucket = z.strictObject({
  bucket_name: z.string(),
  prefix: z.string().regex(/^(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*$/, 'a prefix is empty or folder names each ending with "/" (e.g. "videos/")'),
  base_url: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).nullable().transform((v) => v ?? ''),
});
const OBJECT_STORAGE_DEFAULTS = {
  enabled: false,
  endpoint: '',
  region: 'us-east-1',
  upload_acl: { public: 'public-read', private: 'private' },
  max_upload_part: 100 * 1024 * 1024,
  max_request_attempts: 3,
  proxy: { proxify_private_files: true as const },
  credentials: { access_key_id: '', secret_access_key: '' },
  streaming_playlists: { bucket_name: 'streaming-playlists', prefix: '', base_url: '' },
  web_videos: { bucket_name: 'web-videos', prefix: '', base_url: '' },
  redundancy: { bucket_name: 'redundancy', prefix: '', base_url: '' },
  thumbnails: { enabled: false, bucket_name: 'thumbnails', prefix: '', base_url: '' },
  torrents: { enabled: false, bucket_name: 'torrents', prefix: '', base_url: '' },
};
/** PeerTube's opt-in kinds (its newer `object_storage.thumbnails`, `torrents`…): off, they stay on disk. */
const optionalBucket = (bucket_name: string) => objectBucket.extend({ enabled: z.boolean() }).default({ enabled: false, bucket_name, prefix: '', base_url: '' });
/** PeerTube's object_storage keys (plus `redundancy`: the bucket of our mirrored copies). */
const objectStorage = z
  .strictObject({
    enabled: z.boolean(),
    endpoint: z.string(),
    region: z.string().min(1),
    upload_acl: z.strictObject({ public: z.string().min(1).nullable(), private: z.string().min(1).nullable() }),
    max_upload_part: bytes,
    max_request_attempts: z.number().int().min(1).max(20),
    proxy: z.strictObject({ proxify_private_files: z.literal(true, 'private files are always proxied: files of private videos are never public in a bucket') }),
    credentials: z.strictObject({ access_key_id: z.string(), secret_access_key: z.string() }),
    streaming_playlists: objectBucket,
    web_videos: objectBucket,
    redundancy: objectBucket,
    thumbnails: optionalBucket('thumbnails'),
    torrents: optionalBucket('torrents'),
  })
  .superRefine((o, ctx) => {
    if (!o.enabled) return;
    if (o.endpoint === '') ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'object storage is enabled: set its endpoint' });
    // a CacheFile must name a URL on the mirror's own host (origins, PeerTube's included, refuse others): copies are announced at our static route, which proxies the bucket
    if (o.redundancy.base_url !== '') ctx.addIssue({ code: 'custom', path: ['redundancy', 'base_url'], message: 'must stay empty: origins accept a copy only at a URL on our own host (it is served through /static/redundancy/hls/, proxied from the bucket)' });
    for (const kind of ['streaming_playlists', 'web_videos', 'redundancy', ...(['thumbnails', 'torrents'] as const).filter((k) => o[k].enabled)] as const) {
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(o[kind].bucket_name)) ctx.addIssue({ code: 'custom', path: [kind, 'bucket_name'], message: 'not a bucket name (3-63 of a-z, 0-9, ".", "-")' });
    }
  });

export const configSchema = z.strictObject({
  listen: z.strictObject({ hostname: z.string().min(1), port }),
  webserver: z.strictObject({ https: z.boolean(), hostname: z.string().min(1), port: port.nullable() }),
  database: z.strictObject({
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .nullable(),
    pool_size: z.number().int().min(1).max(100),
    embedded_shared_buffers: bytes.refine((n) => n >= 128 * 1024, 'at least 128kB (PostgreSQL\'s minimum)'),
  }),
  storage: z.strictObject({
    root: z.string().min(1),
    tmp: nullableString,
    web_videos: nullableString,
    streaming_playlists: nullableString,
    redundancy: nullableString,
    torrents: nullableString,
    thumbnails: nullableString,
    previews: nullableString,
    database: nullableString,
    cache: nullableString,
  }),
  admin: z.strictObject({ initial_password: z.string().min(6).nullable(), email: z.string().min(3) }),
  instance: z.strictObject({ name: z.string().min(1), short_description: z.string(), description: z.string() }),
  user: z.strictObject({ video_quota: bytes, video_quota_daily: bytes }),
  uploads: z.strictObject({ max_file_size: bytes, resumable_expiration: duration }),
  ffmpeg: z.strictObject({ path: z.string().min(1) }),
  ffprobe: z.strictObject({ path: z.string().min(1) }),
  transcoding: z.strictObject({
    enabled: z.boolean(),
    threads: z.number().int().min(0).max(64),
    /** 0: this node accepts uploads and schedules their transcodes, other nodes run them */
    concurrency: z.number().int().min(0).max(64),
    preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow']),
    hls_segment_duration: z.number().int().min(1).max(60),
    resolutions,
    hls: z.strictObject({ enabled: z.boolean() }),
    web_videos: z.strictObject({ enabled: z.boolean() }),
  }),
  tracker: z.strictObject({ enabled: z.boolean(), private: z.boolean() }),
  /** PeerTube's live keys (RTMP in, HLS out); see src/live/ */
  live: z.strictObject({
    enabled: z.boolean(),
    allow_replay: z.boolean(),
    /** -1: no limit */
    max_duration: z.union([z.literal(-1), duration]),
    max_instance_lives: z.number().int().min(-1),
    max_user_lives: z.number().int().min(-1),
    latency_setting: z.strictObject({ enabled: z.boolean() }),
    rtmp: z.strictObject({ enabled: z.boolean(), hostname: z.string().min(1).nullable(), port, public_hostname: z.string().min(1).nullable() }),
    /** RTMP inside TLS (PeerTube's keys); the key and certificate are PEM files */
    rtmps: z
      .strictObject({
        enabled: z.boolean(),
        hostname: z.string().min(1).nullable(),
        port,
        key_file: z.string(),
        cert_file: z.string(),
        public_hostname: z.string().min(1).nullable(),
      })
      .refine((r) => !r.enabled || (r.key_file !== '' && r.cert_file !== ''), { message: 'RTMPS needs key_file and cert_file (absolute paths of PEM files)', path: ['key_file'] }),
    transcoding: z.strictObject({
      enabled: z.boolean(),
      threads: z.number().int().min(0).max(64),
      profile: z.literal('default'),
      resolutions,
      always_transcode_original_resolution: z.boolean(),
    }),
    /** ours: relay of remote lives by a mirror (host rules with `live: true`, see redundancy.videos.hosts) */
    relay: z
      .strictObject({ discover_interval: duration, unreachable_timeout: duration, max_file_size: bytes })
      .default({ discover_interval: 2000, unreachable_timeout: 20_000, max_file_size: 64 * 1024 * 1024 }),
    /** ours: bytes of live segments (origin and relays) answered from memory while in their window; playlists always are */
    memory_cache: z.strictObject({ size: bytes }).default({ size: 64 * 1024 * 1024 }),
  }),
  seeding: z.strictObject({
    enabled: z.boolean(),
    port,
    utp: z.boolean(),
    webrtc: z.boolean(),
    ice_servers: z.array(z.string().regex(/^(stun|stuns|turn|turns):/, 'must be a stun: or turn: URL')),
    max_connections: z.number().int().min(1).max(100_000),
    max_connections_per_torrent: z.number().int().min(1).max(10_000),
    upload_limit: bytes.refine((n) => n === -1 || n > 0, 'use -1 (unlimited) or a positive number of bytes per second'),
  }),
  metrics: z.strictObject({
    enabled: z.boolean(),
    listen: z.strictObject({ hostname: z.string().min(1), port }).nullable(),
    bearer_token: z.string().min(16, 'use at least 16 characters').nullable(),
    transfers_flush_interval: duration,
  }),
  /** several `mirrortube serve` processes on one database (src/cluster) */
  node: z.strictObject({
    /** null: the host name; it labels /metrics and lists the node in /api/v1/server/nodes */
    name: z.string().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dots, dashes and underscores only').nullable(),
    /** where the other nodes reach this one (upload chunks are forwarded there); null: http://<listen address>:<port> */
    internal_url: z.url({ protocol: /^https?$/ }).nullable(),
    /** a node silent for this long is offline; a cluster tick overdue by this long is taken over by another node */
    lease_duration: duration.refine((ms) => ms >= 1000, 'must be at least 1 second'),
  }),
  jobs: z.strictObject({
    poll_interval: duration,
    lease_duration: duration,
    shutdown_deadline: duration,
    completed_retention: duration,
    failed_retention: duration,
    prune_interval: duration,
    prune_batch_size: z.number().int().min(1).max(100_000),
    prune_max_batches: z.number().int().min(1).max(10_000),
  }),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    /** auto: human-readable on a terminal, JSON otherwise */
    format: z.enum(['auto', 'json', 'pretty']).default('auto'),
  }),
  federation: z.strictObject({
    allow_private_addresses: z.boolean(),
    max_activity_size: bytes,
    max_collection_items: z.number().int().min(1).max(10_000),
    inbox_workers: z.number().int().min(0).max(64),
    remote_object_max_age: duration,
    /** above the HTTP signature replay window (12 h + 1 h skew): processed activities deduplicate redeliveries */
    inbox_retention: duration.refine((ms) => ms >= 86_400_000, 'must be at least 1 day (processed activities deduplicate redeliveries within the signature window)'),
    /** ours: the outbox crawl when a follow is accepted (PeerTube crawls up to 2000 pages, without a setting) */
    backfill: z.strictObject({ max_videos: z.number().int().min(0).max(1_000_000), max_pages: z.number().int().min(1).max(2000) }),
    delivery: z.strictObject({
      concurrency: z.number().int().min(1).max(100),
      timeout: duration,
      failures_before_pause: z.number().int().min(1).max(100),
      pause: duration,
      max_pause: duration,
      max_attempts: z.number().int().min(1).max(100),
      retry_delay: duration,
      max_retry_delay: duration,
      max_age: duration,
    }),
  }),
  followers: z.strictObject({ instance: z.strictObject({ enabled: z.boolean(), manual_approval: z.boolean() }) }),
  trending: z.strictObject({ videos: z.strictObject({ interval_days: z.number().int().min(1).max(365) }) }),
  redundancy: z.strictObject({
    /** PeerTube's strategies and our host rules: validated by the planner's validatePolicy (errors name the rule) */
    videos: z.record(z.string(), z.unknown()),
    min_lifetime_floor: duration,
    verify_interval: duration,
    origin_check_interval: duration,
    /** ours: an evicted copy keeps its files (withdrawn) this long in case it is planned again; 0: deleted at once */
    eviction_grace: duration.default(6 * 3_600_000),
    mirror: z.strictObject({ concurrency: z.number().int().min(1).max(64), bandwidth: bytes, timeout: duration, max_copy_size: bytes, retry_failed_after: duration }),
  }),
  remote_redundancy: z.strictObject({ videos: z.strictObject({ accept_from: z.enum(['nobody', 'anybody', 'followings']), probe_interval: duration }) }),
  followings: z.strictObject({ instance: z.strictObject({ auto_follow_back: z.strictObject({ enabled: z.boolean() }) }) }),
  /** ours: thumbnails, previews and avatars of remote videos and actors, fetched on first request (PeerTube's cache.previews.size counts files) */
  cache: z.strictObject({
    remote_images: z.strictObject({ size: bytes, max_file_size: bytes, failure_ttl: duration }),
    /** ours: anonymous GET /api/v1/videos and /videos/:id of public videos, dropped on every committed write to what they show */
    api: z.strictObject({ enabled: z.boolean(), ttl: duration, max_entries: z.number().int().min(1) }).default({ enabled: true, ttl: 2000, max_entries: 1000 }),
    /** ours: hot blocks of static files (HLS, web videos, mirrored copies) kept in memory, bytes; 0 disables */
    static_files: z.strictObject({ size: bytes }).default({ size: 128 * 1024 * 1024 }),
  }),
  rates_limit: ratesLimitSchema,
  trust_proxy: trustProxySchema,
  object_storage: objectStorage.default(OBJECT_STORAGE_DEFAULTS),
  views: z.strictObject({
    videos: z.strictObject({
      remote: z.strictObject({ max_age: z.union([z.literal(-1), duration]) }),
      local_buffer_update_interval: duration,
      view_expiration: duration,
      count_view_after: duration,
      trust_viewer_session_id: z.boolean(),
      watching_interval: z.strictObject({ anonymous: duration.nullable(), users: duration.nullable() }),
    }),
  }),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
