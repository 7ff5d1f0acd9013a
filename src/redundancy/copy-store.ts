import type { Prisma } from '../db/index.js';
import { INSTANCE_ACTOR_NAME } from '../accounts/index.js';
import type { Tx } from '../lib/tx.js';
import type { ActiveCopiesStore, CopyChange, CopyStore, OurCopy, OurCopyState } from './engine-ports.js';

/** Our instance actor's id and URL (the owner of our copies). */
export async function findOurActor(prisma: Prisma): Promise<{ id: number; url: string }> {
  return prisma.actor.findFirstOrThrow({ where: { preferredUsername: INSTANCE_ACTOR_NAME, host: null }, select: { id: true, url: true } });
}

const include = { video: { select: { uuid: true, url: true } } } as const;

function toCopy(row: {
  id: number;
  videoId: number;
  state: OurCopyState | null;
  strategy: string | null;
  sizeBytes: bigint;
  expiresOn: Date | null;
  reason: string | null;
  createdAt: Date;
  graceUntil: Date | null;
  sourceFileSet: string | null;
  video: { uuid: string; url: string };
}): OurCopy {
  return {
    id: row.id,
    videoId: row.videoId,
    videoUuid: row.video.uuid,
    videoUrl: row.video.url,
    // our rows always hold a state (null is another instance's copy)
    state: row.state ?? 'failed',
    strategy: row.strategy,
    sizeBytes: Number(row.sizeBytes),
    expiresOn: row.expiresOn,
    reason: row.reason,
    createdAt: row.createdAt,
    graceUntil: row.graceUntil,
    sourceFileSet: row.sourceFileSet,
  };
}

function toData(change: CopyChange) {
  return {
    ...(change.state !== undefined ? { state: change.state } : {}),
    ...(change.reason !== undefined ? { reason: change.reason } : {}),
    ...(change.expiresOn !== undefined ? { expiresOn: change.expiresOn } : {}),
    ...(change.graceUntil !== undefined ? { graceUntil: change.graceUntil } : {}),
    ...(change.sizeBytes !== undefined ? { sizeBytes: BigInt(change.sizeBytes) } : {}),
    ...(change.lastVerifiedAt !== undefined ? { lastVerifiedAt: change.lastVerifiedAt } : {}),
    ...(change.sourceFileSet !== undefined ? { sourceFileSet: change.sourceFileSet } : {}),
    ...(change.countFailure ? { failures: { increment: 1 } } : {}),
    ...(change.updatedAt !== undefined ? { updatedAt: change.updatedAt } : {}),
  };
}

/** Our copies of remote videos: the VideoRedundancy rows of our instance actor. */
export function createPrismaCopyStore(prisma: Prisma): CopyStore {
  const me = async () => (await findOurActor(prisma)).id;
  const db = (tx?: Tx) => tx ?? prisma;
  return {
    async list() {
      const rows = await prisma.videoRedundancy.findMany({ where: { actorId: await me() }, include, orderBy: { id: 'asc' } });
      return rows.map(toCopy);
    },
    async find(id) {
      const row = await prisma.videoRedundancy.findFirst({ where: { id, actorId: await me() }, include });
      return row ? toCopy(row) : null;
    },
    async findByVideo(videoId) {
      const row = await prisma.videoRedundancy.findUnique({ where: { videoId_actorId: { videoId, actorId: await me() } }, include });
      return row ? toCopy(row) : null;
    },
    async create(copy) {
      const row = await prisma.videoRedundancy.create({
        data: { ...copy, actorId: await me(), sizeBytes: BigInt(copy.sizeBytes), state: 'planned' },
        select: { id: true },
      });
      return row.id;
    },
    async update(id, change, tx) {
      await db(tx).videoRedundancy.update({ where: { id }, data: toData(change) });
    },
    async remove(id, options = {}) {
      const { count } = await db(options.tx).videoRedundancy.deleteMany({ where: { id, ...(options.state ? { state: options.state } : {}) } });
      return count > 0;
    },
    async removeFailedBefore(before) {
      await prisma.videoRedundancy.deleteMany({ where: { actorId: await me(), state: 'failed', updatedAt: { lt: before } } });
    },
    async failUnfinished(id, reason, at) {
      await prisma.videoRedundancy.updateMany({
        where: { id, state: { in: ['planned', 'downloading'] } },
        data: { state: 'failed', reason, failures: { increment: 1 }, updatedAt: at },
      });
    },
  };
}

/** Our active copies with the fields the origin health check and the server stats read. */
export function createPrismaActiveCopiesStore(prisma: Prisma): ActiveCopiesStore {
  return {
    async activeCopies(videoUuid) {
      const rows = await prisma.videoRedundancy.findMany({
        where: { actorId: (await findOurActor(prisma)).id, state: 'active', ...(videoUuid !== undefined ? { video: { uuid: videoUuid } } : {}) },
        select: {
          strategy: true,
          sizeBytes: true,
          video: {
            select: {
              uuid: true,
              url: true,
              channel: { select: { actor: { select: { host: true } } } },
              streamingPlaylists: { select: { playlistUrl: true, _count: { select: { files: true } } }, take: 1 },
            },
          },
        },
        orderBy: { id: 'asc' },
      });
      return rows.map((r) => ({
        videoUuid: r.video.uuid,
        originHost: r.video.channel.actor.host ?? new URL(r.video.url).host,
        strategy: r.strategy,
        sizeBytes: Number(r.sizeBytes),
        videoUrl: r.video.url,
        playlistUrl: r.video.streamingPlaylists[0]?.playlistUrl ?? null,
        fileCount: r.video.streamingPlaylists[0]?._count.files ?? 0,
      }));
    },
  };
}
