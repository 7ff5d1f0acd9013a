import type { Prisma } from '../db/index.js';
import type { Tx } from '../lib/tx.js';
import type { NewVideo, RemovableVideo, VideoChanges, VideoStore } from './video-service.js';

/** The video service's rows over Prisma: the new video with its first file, updates, deletion, views, quota sums. */
export function createPrismaVideoStore(prisma: Prisma): VideoStore {
  const owned = (userId: number) => ({ channel: { account: { user: { id: userId } } } });
  return {
    async ownsChannel(userId, channelId) {
      return (await prisma.videoChannel.findFirst({ where: { id: channelId, account: { user: { id: userId } } }, select: { id: true } })) !== null;
    },

    async quotaOf(userId) {
      const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { videoQuota: true, videoQuotaDaily: true } });
      return { total: Number(user.videoQuota), daily: Number(user.videoQuotaDaily) };
    },

    async storedBytes(userId, since) {
      const mine = owned(userId);
      const [total, daily] = await Promise.all([
        prisma.videoFile.aggregate({ _sum: { size: true }, where: { OR: [{ video: mine }, { streamingPlaylist: { video: mine } }] } }),
        prisma.videoFile.aggregate({
          _sum: { size: true },
          where: { OR: [{ video: { ...mine, createdAt: { gte: since } } }, { streamingPlaylist: { video: { ...mine, createdAt: { gte: since } } } }] },
        }),
      ]);
      return { total: Number(total._sum.size ?? 0n), daily: Number(daily._sum.size ?? 0n) };
    },

    transaction: (work) => prisma.$transaction((tx) => work(tx)),

    async create(video: NewVideo, tx: Tx) {
      const { file, ...row } = video;
      const created = await tx.video.create({
        data: { ...row, files: { create: { ...file, size: BigInt(file.size) } } },
        select: { id: true },
      });
      return { id: created.id };
    },

    async update(videoId: number, changes: VideoChanges) {
      await prisma.video.update({ where: { id: videoId }, data: changes });
    },

    async findForRemoval(videoId): Promise<RemovableVideo | null> {
      const video = await prisma.video.findUnique({ where: { id: videoId }, include: { files: true, streamingPlaylists: { include: { files: true } } } });
      if (!video) return null;
      return {
        id: video.id,
        uuid: video.uuid,
        isLocal: video.isLocal,
        thumbnailFilename: video.thumbnailFilename,
        previewFilename: video.previewFilename,
        files: [...video.files, ...video.streamingPlaylists.flatMap((p) => p.files)].map((f) => ({
          filename: f.filename,
          torrentFilename: f.torrentFilename,
          webVideo: f.videoId !== null,
        })),
      };
    },

    async delete(videoId) {
      await prisma.video.delete({ where: { id: videoId } });
    },

    async addView(videoId, day) {
      await prisma.$transaction([
        prisma.video.update({ where: { id: videoId }, data: { views: { increment: 1 } } }),
        prisma.videoViewDaily.upsert({
          where: { videoId_day: { videoId, day } },
          create: { videoId, day, views: 1 },
          update: { views: { increment: 1 } },
        }),
      ]);
    },
  };
}
