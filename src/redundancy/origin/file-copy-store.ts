import type { Prisma } from '../../db/index.js';

/** What recording an announced web-video copy needs (see file-cache-file.ts). */
export interface FileCopyRecordStore {
  /** the web video file of `videoId` at this height (and fps, when both are known) */
  findWebVideoFile(videoId: number, height: number, fps: number | null): Promise<{ id: number; size: bigint } | null>;
  findByUrl(url: string): Promise<{ id: number; actorId: number; state: string } | null>;
  /** creates the copy, or updates the actor's copy of that file (a new CacheFile id replaces the old) */
  save(input: { videoFileId: number; actorId: number; url: string; fileUrl: string; expiresOn: Date | null; sizeBytes: number; state: string }): Promise<{ id: number; state: string; created: boolean }>;
  /** drops the copy `url` of the actor `actorUrl`; how many went */
  removeByUrl(url: string, actorUrl: string): Promise<number>;
}

/** A web-video copy of one of our files, as its probe needs it. */
export interface FileCopyToProbe {
  id: number;
  fileUrl: string;
  videoUuid: string;
  filename: string;
  size: number;
}

/** What probing announced web-video copies needs (see probe-file-copy.ts). */
export interface FileCopyProbeStore {
  /** null when the copy is gone or is not a copy of one of our local web video files */
  loadForProbe(id: number): Promise<FileCopyToProbe | null>;
  setProbeResult(id: number, result: { healthy: boolean; reason: string | null; at: Date }): Promise<void>;
  /** copies of our files never probed, or last probed before `olderThan` */
  dueForProbe(olderThan: Date): Promise<number[]>;
  /** drops copies (of any video) whose `expiresOn` passed; how many */
  removeExpired(now: Date): Promise<number>;
}

export function createFileCopyStore(prisma: Prisma): FileCopyRecordStore & FileCopyProbeStore {
  return {
    async findWebVideoFile(videoId, height, fps) {
      const files = await prisma.videoFile.findMany({ where: { videoId, resolution: height }, select: { id: true, size: true, fps: true }, orderBy: { id: 'asc' } });
      const exact = fps === null ? undefined : files.find((f) => f.fps === fps);
      const file = exact ?? files[0];
      return file ? { id: file.id, size: file.size } : null;
    },
    findByUrl: (url) => prisma.videoFileRedundancy.findUnique({ where: { url }, select: { id: true, actorId: true, state: true } }),
    async save(input) {
      const data = { url: input.url, fileUrl: input.fileUrl, expiresOn: input.expiresOn, sizeBytes: BigInt(input.sizeBytes) };
      const existing = await prisma.videoFileRedundancy.findUnique({ where: { videoFileId_actorId: { videoFileId: input.videoFileId, actorId: input.actorId } }, select: { id: true } });
      const row = existing
        ? await prisma.videoFileRedundancy.update({ where: { id: existing.id }, data })
        : await prisma.videoFileRedundancy.create({ data: { ...data, videoFileId: input.videoFileId, actorId: input.actorId, state: input.state } });
      return { id: row.id, state: row.state, created: !existing };
    },
    async removeByUrl(url, actorUrl) {
      const { count } = await prisma.videoFileRedundancy.deleteMany({ where: { url, actor: { url: actorUrl } } });
      return count;
    },
    async loadForProbe(id) {
      const row = await prisma.videoFileRedundancy.findUnique({ where: { id }, include: { videoFile: { include: { video: { select: { uuid: true, isLocal: true } } } } } });
      const video = row?.videoFile.video;
      if (!row || !video?.isLocal) return null;
      return { id: row.id, fileUrl: row.fileUrl, videoUuid: video.uuid, filename: row.videoFile.filename, size: Number(row.videoFile.size) };
    },
    async setProbeResult(id, result) {
      await prisma.videoFileRedundancy.update({
        where: { id },
        data: { state: result.healthy ? 'active' : 'unhealthy', reason: result.reason, lastVerifiedAt: result.at, failures: result.healthy ? 0 : { increment: 1 } },
      });
    },
    async dueForProbe(olderThan) {
      const rows = await prisma.videoFileRedundancy.findMany({
        where: { videoFile: { video: { isLocal: true } }, OR: [{ lastVerifiedAt: null }, { lastVerifiedAt: { lt: olderThan } }] },
        select: { id: true },
      });
      return rows.map((r) => r.id);
    },
    async removeExpired(now) {
      const { count } = await prisma.videoFileRedundancy.deleteMany({ where: { expiresOn: { lt: now } } });
      return count;
    },
  };
}
