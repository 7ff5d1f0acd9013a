import type { Prisma } from '../db/index.js';
import { parseVideoRef } from './short-uuid.js';
import type { ActorView, VideoDetails, VideoFileView, VideoListQuery, VideoQueries, VideoSummary } from './video-queries.js';

/*
 * Each read is one SQL statement: the video, its channel, account, actors and owner joined, and the
 * files, playlists and healthy mirrors aggregated as JSON (Prisma's `include` takes one query per
 * relation: ten for a video's details).
 */

type Json = Record<string, unknown>;

const obj = (alias: string, columns: readonly string[]) => `json_build_object(${columns.map((c) => `'${c}', ${alias}."${c}"`).join(', ')})`;

const VIDEO_COLUMNS = [
  'id', 'uuid', 'name', 'description', 'support', 'privacy', 'state', 'category', 'licence', 'language', 'nsfw', 'tags', 'duration',
  'aspectRatio', 'views', 'likes', 'dislikes', 'isLive', 'isLocal', 'url', 'lastFetchedAt', 'waitTranscoding', 'commentsEnabled',
  'downloadEnabled', 'thumbnailFilename', 'previewFilename', 'originallyPublishedAt', 'publishedAt', 'createdAt', 'updatedAt',
] as const;
const ACTOR_COLUMNS = ['url', 'host', 'inboxUrl', 'sharedInboxUrl', 'avatarFilename', 'avatarWidth', 'updatedAt'] as const;
const ACCOUNT_COLUMNS = ['id', 'name', 'displayName', 'description', 'createdAt', 'updatedAt'] as const;
const CHANNEL_COLUMNS = ['id', 'name', 'displayName', 'description', 'support', 'createdAt', 'updatedAt'] as const;
const FILE_COLUMNS = ['id', 'resolution', 'width', 'height', 'fps', 'size', 'extname', 'filename', 'torrentFilename', 'infoHash', 'fileUrl', 'torrentUrl'] as const;
const PLAYLIST_COLUMNS = ['id', 'type', 'playlistFilename', 'segmentsSha256Filename', 'playlistUrl', 'segmentsSha256Url'] as const;

/** the video `v` with its channel, as one JSON object (the joins are in FROM_VIDEO) */
const SUMMARY_JSON = `json_build_object(
  'video', ${obj('v', VIDEO_COLUMNS)},
  'channel', ${obj('c', CHANNEL_COLUMNS)},
  'channelActor', ${obj('ca', ACTOR_COLUMNS)},
  'account', ${obj('acc', ACCOUNT_COLUMNS)},
  'accountActor', ${obj('aa', ACTOR_COLUMNS)},
  'userId', u.id)`;

const FROM_VIDEO = `FROM "Video" v
  JOIN "VideoChannel" c ON c.id = v."channelId"
  JOIN "Actor" ca ON ca.id = c."actorId"
  JOIN "Account" acc ON acc.id = c."accountId"
  JOIN "Actor" aa ON aa.id = acc."actorId"
  LEFT JOIN "User" u ON u."accountId" = acc.id`;

const DETAILS_JSON = `json_build_object(
  'summary', ${SUMMARY_JSON},
  'files', COALESCE((SELECT json_agg(json_build_object('file', ${obj('f', FILE_COLUMNS)}, 'redundancies',
      COALESCE((SELECT json_agg(json_build_object('fileUrl', fr."fileUrl") ORDER BY fr.id) FROM "VideoFileRedundancy" fr WHERE fr."videoFileId" = f.id AND fr.state = 'active'), '[]'::json))
    ORDER BY f.id) FROM "VideoFile" f WHERE f."videoId" = v.id), '[]'::json),
  'streamingPlaylists', COALESCE((SELECT json_agg(json_build_object('playlist', ${obj('p', PLAYLIST_COLUMNS)}, 'files',
      COALESCE((SELECT json_agg(${obj('pf', FILE_COLUMNS)} ORDER BY pf.id) FROM "VideoFile" pf WHERE pf."streamingPlaylistId" = p.id), '[]'::json))
    ORDER BY p.id) FROM "VideoStreamingPlaylist" p WHERE p."videoId" = v.id), '[]'::json),
  'redundancies', COALESCE((SELECT json_agg(json_build_object('fileUrl', r."fileUrl") ORDER BY r.id) FROM "VideoRedundancy" r WHERE r."videoId" = v.id AND (r.state = 'active' OR r."remoteState" = 'active')), '[]'::json),
  'trackerUrls', v."trackerUrls")`;

/** ORDER BY of each sort, the id breaking ties */
const SORT_SQL: Record<string, string> = {
  name: 'v."name" ASC',
  '-name': 'v."name" DESC',
  duration: 'v."duration" ASC',
  '-duration': 'v."duration" DESC',
  createdAt: 'v."createdAt" ASC',
  '-createdAt': 'v."createdAt" DESC',
  publishedAt: 'v."publishedAt" ASC',
  '-publishedAt': 'v."publishedAt" DESC',
  views: 'v."views" ASC',
  '-views': 'v."views" DESC',
  likes: 'v."likes" ASC',
  '-likes': 'v."likes" DESC',
  '-trending': 'v."views" DESC',
  '-hot': 'v."views" DESC',
};

/** timestamp(3) columns come out of json_build_object without a zone; they hold UTC */
const date = (v: unknown): Date => new Date(`${String(v)}Z`);
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const parsed = (v: unknown): Json => (typeof v === 'string' ? (JSON.parse(v) as Json) : (v as Json));

function actorOf(a: Json): ActorView {
  return { ...(a as unknown as ActorView), updatedAt: date(a.updatedAt) };
}

function summaryOf(s: Json): VideoSummary {
  const v = s.video as Json;
  const c = s.channel as Json;
  const acc = s.account as Json;
  return {
    ...(v as unknown as VideoSummary),
    uuid: String(v.uuid),
    // a NULL array column reads as [] through Prisma
    tags: (v.tags as string[] | null) ?? [],
    lastFetchedAt: dateOrNull(v.lastFetchedAt),
    originallyPublishedAt: dateOrNull(v.originallyPublishedAt),
    publishedAt: date(v.publishedAt),
    createdAt: date(v.createdAt),
    updatedAt: date(v.updatedAt),
    channel: {
      ...(c as unknown as VideoSummary['channel']),
      createdAt: date(c.createdAt),
      updatedAt: date(c.updatedAt),
      actor: actorOf(s.channelActor as Json),
      account: {
        ...(acc as unknown as VideoSummary['channel']['account']),
        createdAt: date(acc.createdAt),
        updatedAt: date(acc.updatedAt),
        actor: actorOf(s.accountActor as Json),
        user: s.userId === null || s.userId === undefined ? null : { id: Number(s.userId) },
      },
    },
  };
}

const fileOf = (f: Json): VideoFileView => ({ ...(f as unknown as VideoFileView), size: Number(f.size) });

function detailsOf(d: Json): VideoDetails {
  return {
    ...summaryOf(d.summary as Json),
    files: (d.files as Json[]).map((x) => ({ ...fileOf(x.file as Json), redundancies: x.redundancies as { fileUrl: string }[] })),
    streamingPlaylists: (d.streamingPlaylists as Json[]).map((x) => ({
      ...(x.playlist as unknown as VideoDetails['streamingPlaylists'][number]),
      files: (x.files as Json[]).map(fileOf),
    })),
    redundancies: d.redundancies as { fileUrl: string }[],
    trackerUrls: (d.trackerUrls as string[] | null) ?? [],
  };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** The video reads over PostgreSQL (or the embedded PGlite), one statement each. */
export function createPrismaVideoReadStore(prisma: Prisma): VideoQueries {
  return {
    async findByRef(ref) {
      const where = parseVideoRef(ref);
      if (!where) return null;
      const rows =
        'id' in where
          ? await prisma.$queryRawUnsafe<{ d: unknown }[]>(`SELECT ${DETAILS_JSON} AS d ${FROM_VIDEO} WHERE v.id = $1`, where.id)
          : await prisma.$queryRawUnsafe<{ d: unknown }[]>(`SELECT ${DETAILS_JSON} AS d ${FROM_VIDEO} WHERE v.uuid = $1::uuid`, where.uuid);
      return rows[0] ? detailsOf(parsed(rows[0].d)) : null;
    },

    async list(q: VideoListQuery) {
      const params: unknown[] = [];
      const bind = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      const conds: string[] = [];
      if (!q.includeAll) conds.push('v.privacy = 1');
      if (q.isLocal !== undefined) conds.push(`v."isLocal" = ${bind(q.isLocal)}`);
      if (q.channelId) conds.push(`v."channelId" = ${bind(q.channelId)}`);
      if (q.accountId) conds.push(`c."accountId" = ${bind(q.accountId)}`);
      if (q.search) conds.push(`v.name ILIKE ${bind(`%${escapeLike(q.search)}%`)}`);
      const where = conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '';
      const order = `${SORT_SQL[q.sort ?? '-publishedAt'] ?? SORT_SQL['-publishedAt']}, v.id ASC`;
      const countParams = [...params];
      // the page's ids first (and the total), then the JSON of those rows only
      const rows = await prisma.$queryRawUnsafe<{ s: unknown; total: number }[]>(
        `WITH page AS (SELECT v.id, (count(*) OVER ())::int AS total FROM "Video" v JOIN "VideoChannel" c ON c.id = v."channelId" ${where} ORDER BY ${order} LIMIT ${bind(q.count)} OFFSET ${bind(q.start)})
         SELECT ${SUMMARY_JSON} AS s, page.total ${FROM_VIDEO} JOIN page ON page.id = v.id ORDER BY ${order}`,
        ...params,
      );
      if (rows[0]) return { total: Number(rows[0].total), data: rows.map((r) => summaryOf(parsed(r.s))) };
      // past the last page, or `count=0` (the total alone); a first page with room for rows found none
      const counted = q.start === 0 && q.count > 0 ? [{ n: 0 }] : await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "Video" v JOIN "VideoChannel" c ON c.id = v."channelId" ${where}`, ...countParams);
      return { total: Number(counted[0]?.n ?? 0), data: [] };
    },

    async findIdByUrl(url) {
      const found = await prisma.video.findUnique({ where: { url }, select: { id: true } });
      return found?.id ?? null;
    },
  };
}
