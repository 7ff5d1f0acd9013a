import type { Prisma } from '../db/index.js';

export interface AccessVideo {
  id: number;
  uuid: string;
  privacy: number;
  isLocal: boolean;
  ownerUserId: number | null;
}

/** What access checks read: a video's privacy and owner, by uuid, by reference or by one of its web video files. */
export interface VideoAccessStore {
  byUuid(uuid: string): Promise<AccessVideo | null>;
  byWhere(where: { id: number } | { uuid: string }): Promise<AccessVideo | null>;
  byWebVideoFilename(filename: string): Promise<AccessVideo | null>;
}

const select = { id: true, uuid: true, privacy: true, isLocal: true, channel: { select: { account: { select: { user: { select: { id: true } } } } } } } as const;

export function createVideoAccessStore(prisma: Prisma): VideoAccessStore {
  const shape = (v: { id: number; uuid: string; privacy: number; isLocal: boolean; channel: { account: { user: { id: number } | null } } } | null): AccessVideo | null =>
    v ? { id: v.id, uuid: v.uuid, privacy: v.privacy, isLocal: v.isLocal, ownerUserId: v.channel.account.user?.id ?? null } : null;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  return {
    byUuid: async (uuid) => (UUID.test(uuid) ? shape(await prisma.video.findUnique({ where: { uuid: uuid.toLowerCase() }, select })) : null),
    byWhere: async (where) => shape(await prisma.video.findUnique({ where, select })),
    async byWebVideoFilename(filename) {
      const file = await prisma.videoFile.findFirst({ where: { filename, videoId: { not: null } }, select: { video: { select } } });
      return shape(file?.video ?? null);
    },
  };
}
