import type { Prisma } from '../db/index.js';
import type { TransferDirection, TransferKind, TransferProtocol, TransferRow } from '../metrics/index.js';
import type { TransferStore } from './transfer-accounting.js';

const rowOf = (r: { videoUuid: string; originHost: string; kind: string; protocol: string; direction: string; bytes: bigint | null }): TransferRow => ({
  videoUuid: r.videoUuid,
  originHost: r.originHost,
  kind: r.kind as TransferKind,
  protocol: r.protocol as TransferProtocol,
  direction: r.direction as TransferDirection,
  bytes: Number(r.bytes ?? 0n),
});

/** The `TransferTotal` rows: atomic increments, totals grouped by host, pages of videos. */
export function createPrismaTransferStore(prisma: Prisma): TransferStore {
  return {
    async originHostOf(videoUuid) {
      // a remote video's host is its channel actor's host (local actors have none)
      const video = await prisma.video.findUnique({ where: { uuid: videoUuid }, select: { channel: { select: { actor: { select: { host: true } } } } } });
      return video?.channel.actor.host ?? null;
    },

    async increment(entries) {
      await prisma.$transaction(
        entries.map((e) =>
          prisma.transferTotal.upsert({
            where: { videoUuid_protocol_direction: { videoUuid: e.videoUuid, protocol: e.protocol, direction: e.direction } },
            create: { videoUuid: e.videoUuid, originHost: e.originHost, kind: e.kind, protocol: e.protocol, direction: e.direction, bytes: BigInt(e.bytes) },
            update: { bytes: { increment: BigInt(e.bytes) } },
          }),
        ),
      );
    },

    async totalsByHost(videoUuid) {
      const groups = await prisma.transferTotal.groupBy({
        by: ['originHost', 'kind', 'protocol', 'direction'] as const,
        where: videoUuid !== undefined ? { videoUuid } : {},
        _sum: { bytes: true },
        orderBy: { _sum: { bytes: 'desc' } },
      });
      return groups.map((g) => rowOf({ ...g, videoUuid: '', bytes: g._sum.bytes }));
    },

    async videoPage(query) {
      const where = query.videoUuid !== undefined ? { videoUuid: query.videoUuid } : {};
      const page = await prisma.transferTotal.groupBy({
        by: ['videoUuid'],
        where,
        _sum: { bytes: true },
        orderBy: [{ _sum: { bytes: 'desc' } }, { videoUuid: 'asc' }],
        skip: query.start,
        take: query.count,
      });
      const [counted] =
        query.videoUuid !== undefined
          ? await prisma.$queryRaw<{ n: number }[]>`SELECT COUNT(DISTINCT "videoUuid")::int AS n FROM "TransferTotal" WHERE "videoUuid" = ${query.videoUuid}::uuid`
          : await prisma.$queryRaw<{ n: number }[]>`SELECT COUNT(DISTINCT "videoUuid")::int AS n FROM "TransferTotal"`;
      return { total: Number(counted?.n ?? 0), videoUuids: page.map((p) => p.videoUuid) };
    },

    async rowsOf(videoUuids) {
      const rows = await prisma.transferTotal.findMany({ where: { videoUuid: { in: [...videoUuids] } } });
      return rows.map(rowOf);
    },
  };
}
