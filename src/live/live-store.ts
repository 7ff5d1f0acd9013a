import type { Prisma } from '../db/index.js';
import { VideoState } from '../videos/constants.js';
import { LIVE_MASTER_PLAYLIST, LIVE_SEGMENTS_SHA256 } from './live-hls-args.js';
import type { LiveRecord, LiveSessionRecord, LiveStore } from './live-ports.js';

const liveInclude = { live: true, channel: { select: { account: { select: { user: { select: { id: true } } } } } } } as const;

type LiveRow = NonNullable<Awaited<ReturnType<Prisma['video']['findFirst']>>> & {
  live: { streamKey: string; saveReplay: boolean; replayPrivacy: number | null; permanentLive: boolean; latencyMode: number } | null;
  channel: { account: { user: { id: number } | null } };
};

function recordOf(v: LiveRow): LiveRecord | null {
  if (!v.live) return null;
  return {
    videoId: v.id,
    uuid: v.uuid,
    name: v.name,
    privacy: v.privacy,
    state: v.state,
    channelId: v.channelId,
    userId: v.channel.account.user?.id ?? null,
    streamKey: v.live.streamKey,
    saveReplay: v.live.saveReplay,
    replayPrivacy: v.live.replayPrivacy,
    permanentLive: v.live.permanentLive,
    latencyMode: v.live.latencyMode,
    description: v.description,
    category: v.category,
    licence: v.licence,
    language: v.language,
    nsfw: v.nsfw,
    tags: v.tags,
  };
}

const sessionSelect = { id: true, liveVideoId: true, startDate: true, endDate: true, error: true, saveReplay: true, replayVideo: { select: { id: true, uuid: true } } } as const;

/** Lives and their sessions over Prisma (the live area's only database access). */
export function createPrismaLiveStore(prisma: Prisma): LiveStore {
  return {
    async ownsChannel(userId, channelId) {
      return (await prisma.videoChannel.findFirst({ where: { id: channelId, account: { user: { id: userId } } }, select: { id: true } })) !== null;
    },

    async create(live) {
      const created = await prisma.video.create({
        data: {
          uuid: live.uuid,
          url: live.url,
          name: live.name,
          description: live.description,
          support: live.support,
          privacy: live.privacy,
          state: VideoState.WAITING_FOR_LIVE,
          category: live.category,
          licence: live.licence,
          language: live.language,
          nsfw: live.nsfw,
          tags: live.tags,
          isLive: true,
          commentsEnabled: live.commentsEnabled,
          downloadEnabled: live.downloadEnabled,
          channelId: live.channelId,
          thumbnailFilename: live.imageFilename,
          previewFilename: live.imageFilename,
          publishedAt: live.now,
          createdAt: live.now,
          live: { create: { streamKey: live.streamKey, saveReplay: live.saveReplay, replayPrivacy: live.replayPrivacy, permanentLive: live.permanentLive, latencyMode: live.latencyMode } },
          streamingPlaylists: { create: { type: 1, playlistFilename: LIVE_MASTER_PLAYLIST, segmentsSha256Filename: LIVE_SEGMENTS_SHA256 } },
        },
        select: { id: true },
      });
      return { id: created.id };
    },

    async findByVideo(videoId) {
      const v = await prisma.video.findUnique({ where: { id: videoId }, include: liveInclude });
      return v ? recordOf(v as LiveRow) : null;
    },

    async findByStreamKey(streamKey) {
      const row = await prisma.videoLive.findUnique({ where: { streamKey }, select: { video: { include: liveInclude } } });
      return row ? recordOf(row.video as LiveRow) : null;
    },

    async update(videoId, change) {
      await prisma.videoLive.update({ where: { videoId }, data: change });
    },

    async setState(videoId, state) {
      await prisma.video.update({ where: { id: videoId }, data: { state } });
    },

    async countNotEnded(userId) {
      return prisma.video.count({
        where: { isLive: true, isLocal: true, state: { not: VideoState.LIVE_ENDED }, ...(userId !== undefined ? { channel: { account: { user: { id: userId } } } } : {}) },
      });
    },

    async countByState() {
      const rows = await prisma.video.groupBy({ by: ['state'], where: { isLive: true, isLocal: true }, _count: { _all: true } });
      return Object.fromEntries(rows.map((r) => [r.state, r._count._all]));
    },

    async startSession(videoId, startDate, saveReplay) {
      return prisma.videoLiveSession.create({ data: { liveVideoId: videoId, startDate, saveReplay }, select: { id: true } });
    },

    async endSession(sessionId, endDate, error) {
      await prisma.videoLiveSession.update({ where: { id: sessionId }, data: { endDate, error } });
    },

    async setReplay(sessionId, replayVideoId) {
      await prisma.videoLiveSession.update({ where: { id: sessionId }, data: { replayVideoId } });
    },

    async sessions(videoId): Promise<LiveSessionRecord[]> {
      return prisma.videoLiveSession.findMany({ where: { liveVideoId: videoId }, orderBy: { startDate: 'asc' }, select: sessionSelect });
    },

    async sessionOfReplay(replayVideoId) {
      return prisma.videoLiveSession.findUnique({ where: { replayVideoId }, select: sessionSelect });
    },

    async closeOpenSessions(endDate) {
      return prisma.$transaction(async (tx) => {
        const open = await tx.videoLiveSession.findMany({ where: { endDate: null }, select: { id: true, liveVideoId: true } });
        if (open.length === 0) return [];
        await tx.videoLiveSession.updateMany({ where: { id: { in: open.map((s) => s.id) } }, data: { endDate } });
        return [...new Set(open.map((s) => s.liveVideoId))];
      });
    },
  };
}
