import type { Prisma } from '../../db/index.js';

/** One copy in the redundancy admin lists (a copy of our video elsewhere, or ours of a remote video). */
export interface CopyEntry {
  id: number;
  fileUrl: string;
  /** HLS copies only */
  strategy?: string | null;
  createdAt: Date;
  updatedAt: Date;
  expiresOn: Date | null;
  sizeBytes: bigint | number;
}

/** A video of the redundancy admin lists, with its copies: HLS ones, and web-video ones (PeerTube's `redundancies.files[]`). */
export interface CopiedVideo {
  id: number;
  name: string;
  url: string;
  uuid: string;
  streamingPlaylistCopies: CopyEntry[];
  fileCopies: CopyEntry[];
}

/** The rows behind the redundancy admin API and the follow lists' `hostRedundancyAllowed`. */
export interface RedundancyAdminStore {
  /** whether each of these hosts may have its videos mirrored (absent: not set) */
  redundancyAllowed(hosts: readonly string[]): Promise<Map<string, boolean>>;
  /** a follow in either direction involves this host */
  hostKnown(host: string): Promise<boolean>;
  setRedundancyAllowed(host: string, allowed: boolean): Promise<void>;
  /**
   * `my-videos`: our videos with copies on other instances; `remote-videos`: remote videos our
   * instance actor (`instanceActorId`) holds an active copy of. By name, then id.
   */
  listCopied(query: { target: 'my-videos' | 'remote-videos'; instanceActorId: number; start: number; count: number; descending: boolean }): Promise<{ total: number; videos: CopiedVideo[] }>;
}

export function createPrismaRedundancyAdminStore(prisma: Prisma): RedundancyAdminStore {
  return {
    async redundancyAllowed(hosts) {
      const servers = await prisma.remoteServer.findMany({ where: { host: { in: [...hosts] } } });
      return new Map(servers.map((s) => [s.host, s.redundancyAllowed]));
    },
    async hostKnown(host) {
      return (await prisma.actorFollow.findFirst({ where: { OR: [{ following: { host } }, { follower: { host } }] } })) !== null;
    },
    async setRedundancyAllowed(host, allowed) {
      await prisma.remoteServer.upsert({ where: { host }, create: { host, redundancyAllowed: allowed }, update: { redundancyAllowed: allowed } });
    },
    async listCopied(q) {
      const copyWhere = q.target === 'my-videos' ? { actor: { host: { not: null } } } : { actorId: q.instanceActorId, state: 'active' as const };
      // my-videos: web-video copies too (`redundancies.files[]`, PeerTube's); we make only HLS copies
      const fileCopyWhere = q.target === 'my-videos' ? { actor: { host: { not: null } } } : { id: -1 };
      const where = { isLocal: q.target === 'my-videos', OR: [{ redundancies: { some: copyWhere } }, { files: { some: { redundancies: { some: fileCopyWhere } } } }] };
      const [total, videos] = await prisma.$transaction([
        prisma.video.count({ where }),
        prisma.video.findMany({
          where,
          skip: q.start,
          take: q.count,
          orderBy: [{ name: q.descending ? 'desc' : 'asc' }, { id: 'asc' }],
          include: {
            redundancies: { where: copyWhere, orderBy: { id: 'asc' } },
            files: { select: { redundancies: { where: fileCopyWhere, orderBy: { id: 'asc' } } } },
          },
        }),
      ]);
      return {
        total,
        videos: videos.map((v) => ({
          id: v.id,
          name: v.name,
          url: v.url,
          uuid: v.uuid,
          streamingPlaylistCopies: v.redundancies,
          fileCopies: v.files.flatMap((f) => f.redundancies).sort((x, y) => x.id - y.id),
        })),
      };
    },
  };
}
