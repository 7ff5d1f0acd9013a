import type { Prisma } from '../../db/index.js';
import { INSTANCE_ACTOR_NAME } from '../../accounts/index.js';

/** The figures of `GET /server/stats` this instance counts. */
export interface ServerCounts {
  totalUsers: number;
  totalAdmins: number;
  totalModerators: number;
  totalLocalVideos: number;
  totalVideos: number;
  totalLocalVideoViews: number;
  totalLocalVideoComments: number;
  totalLocalVideoFilesSize: number;
  totalVideoComments: number;
  totalLocalVideoChannels: number;
  totalInstanceFollowers: number;
  totalInstanceFollowing: number;
}

export interface ServerStatsStore {
  counts(): Promise<ServerCounts>;
}

export function createPrismaServerStatsStore(prisma: Prisma): ServerStatsStore {
  return {
    async counts() {
      const instanceActor = { preferredUsername: INSTANCE_ACTOR_NAME, host: null };
      const [followers, following] = await Promise.all([
        prisma.actorFollow.count({ where: { following: instanceActor, state: 'accepted' } }),
        prisma.actorFollow.count({ where: { follower: instanceActor, state: 'accepted' } }),
      ]);
      const [totalUsers, totalAdmins, totalModerators, totalLocalVideos, totalVideos, views, size, channels] = await Promise.all([
        prisma.user.count(),
        prisma.user.count({ where: { role: 0 } }),
        prisma.user.count({ where: { role: 1 } }),
        prisma.video.count({ where: { isLocal: true } }),
        prisma.video.count(),
        prisma.video.aggregate({ _sum: { views: true }, where: { isLocal: true } }),
        prisma.videoFile.aggregate({
          _sum: { size: true },
          where: { OR: [{ video: { isLocal: true } }, { streamingPlaylist: { video: { isLocal: true } } }] },
        }),
        prisma.videoChannel.count({ where: { actor: { host: null } } }),
      ]);
      return {
        totalUsers,
        totalAdmins,
        totalModerators,
        totalLocalVideos,
        totalVideos,
        totalLocalVideoViews: views._sum.views ?? 0,
        totalLocalVideoComments: await prisma.videoComment.count({ where: { deletedAt: null, account: { actor: { host: null } } } }),
        totalLocalVideoFilesSize: Number(size._sum.size ?? 0n),
        totalVideoComments: await prisma.videoComment.count({ where: { deletedAt: null } }),
        totalLocalVideoChannels: channels,
        totalInstanceFollowers: followers,
        totalInstanceFollowing: following,
      };
    },
  };
}
