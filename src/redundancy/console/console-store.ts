import type { Prisma } from '../../db/index.js';
import { findOurActor } from '../copy-store.js';

/** One of our copies, as the console lists it. */
export interface ConsoleCopyRow {
  id: number;
  videoId: number;
  videoName: string;
  videoUuid: string;
  videoUrl: string;
  fileUrl: string;
  state: string;
  strategy: string | null;
  sizeBytes: number;
  expiresOn: Date | null;
  reason: string | null;
  lastVerifiedAt: Date | null;
  failures: number;
  graceUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A copy another instance holds of one of our videos (the origin side), with its probe result. */
export interface ConsoleMirrorOfOurs {
  id: number;
  kind: 'hls' | 'web-video';
  videoName: string;
  videoUuid: string;
  mirrorHost: string | null;
  fileUrl: string;
  state: string;
  sizeBytes: number;
  expiresOn: Date | null;
  reason: string | null;
  lastVerifiedAt: Date | null;
  failures: number;
  createdAt: Date;
}

/** The console's reads (the redundancy console page, the dry-run's names). */
export interface ConsoleStore {
  ourCopies(): Promise<ConsoleCopyRow[]>;
  mirrorsOfOurVideos(): Promise<ConsoleMirrorOfOurs[]>;
  videoNames(ids: readonly number[]): Promise<Map<number, { name: string; uuid: string; host: string | null }>>;
}

const hostOf = (url: string): string | null => {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
};

export function createPrismaConsoleStore(prisma: Prisma): ConsoleStore {
  return {
    async ourCopies() {
      const me = await findOurActor(prisma);
      const rows = await prisma.videoRedundancy.findMany({
        where: { actorId: me.id, state: { not: null } },
        orderBy: { id: 'asc' },
        include: { video: { select: { name: true, uuid: true, url: true } } },
      });
      return rows.map((r) => ({
        id: r.id,
        videoId: r.videoId,
        videoName: r.video.name,
        videoUuid: r.video.uuid,
        videoUrl: r.video.url,
        fileUrl: r.fileUrl,
        state: r.state ?? 'failed',
        strategy: r.strategy,
        sizeBytes: Number(r.sizeBytes),
        expiresOn: r.expiresOn,
        reason: r.reason,
        lastVerifiedAt: r.lastVerifiedAt,
        failures: r.failures,
        graceUntil: r.graceUntil,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      }));
    },
    async mirrorsOfOurVideos() {
      const [hls, files] = await Promise.all([
        prisma.videoRedundancy.findMany({
          where: { video: { isLocal: true }, actor: { host: { not: null } } },
          orderBy: { id: 'asc' },
          include: { video: { select: { name: true, uuid: true } }, actor: { select: { host: true } } },
        }),
        prisma.videoFileRedundancy.findMany({
          where: { videoFile: { video: { isLocal: true } }, actor: { host: { not: null } } },
          orderBy: { id: 'asc' },
          include: { videoFile: { select: { video: { select: { name: true, uuid: true } } } }, actor: { select: { host: true } } },
        }),
      ]);
      return [
        ...hls.map((r) => ({
          id: r.id,
          kind: 'hls' as const,
          videoName: r.video.name,
          videoUuid: r.video.uuid,
          mirrorHost: r.actor.host,
          fileUrl: r.fileUrl,
          state: r.remoteState === 'pending_probe' ? 'pending-probe' : (r.remoteState ?? 'unhealthy'),
          sizeBytes: Number(r.sizeBytes),
          expiresOn: r.expiresOn,
          reason: r.reason,
          lastVerifiedAt: r.lastVerifiedAt,
          failures: r.failures,
          createdAt: r.createdAt,
        })),
        ...files.map((r) => ({
          id: r.id,
          kind: 'web-video' as const,
          videoName: r.videoFile.video?.name ?? '',
          videoUuid: r.videoFile.video?.uuid ?? '',
          mirrorHost: r.actor.host,
          fileUrl: r.fileUrl,
          state: r.state,
          sizeBytes: Number(r.sizeBytes),
          expiresOn: r.expiresOn,
          reason: r.reason,
          lastVerifiedAt: r.lastVerifiedAt,
          failures: r.failures,
          createdAt: r.createdAt,
        })),
      ];
    },
    async videoNames(ids) {
      if (ids.length === 0) return new Map();
      const rows = await prisma.video.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true, uuid: true, url: true } });
      return new Map(rows.map((r) => [r.id, { name: r.name, uuid: r.uuid, host: hostOf(r.url) }]));
    },
  };
}
