import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Prisma } from '../../db/index.js';
import type { Clock } from '../../lib/clock.js';
import { fail, ok, type Result } from '../../lib/result.js';
import type { StorageLayout } from '../storage-layout.js';
import type { UploadRefusal, VideoService } from '../video-service.js';
import { uploadMetadataSchema, type UploadMetadata } from './upload-metadata.js';

export type ResumableRefusal =
  | UploadRefusal
  | { type: 'unknown-upload'; message: string }
  | { type: 'bad-range'; message: string };

export type ChunkOutcome =
  | { status: 'incomplete'; received: number }
  | { status: 'complete'; video: { id: number; uuid: string; shortUUID: string } };

// Content-Range of a chunk: "bytes 0-99/1000", or "bytes */1000" to ask how much arrived.
export function parseContentRange(header: string | undefined): { start: number; end: number; total: number } | { query: true; total: number } | null {
  if (!header) return null;
  const query = /^bytes \*\/(\d+)$/.exec(header.trim());
  if (query) return { query: true, total: Number(query[1]) };
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (!m) return null;
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (end < start || end >= total) return null;
  return { start, end, total };
}

/**
 * PeerTube's resumable upload protocol (node-uploadx's): a session per upload, stored in the
 * database so an upload survives a restart; chunks are written at their offset in a temporary file.
 */
export function createResumableUploads(deps: { prisma: Prisma; clock: Clock; layout: StorageLayout; videos: VideoService; expirationMs: number }) {
  const { prisma, layout } = deps;
  const pathOf = (id: string) => join(layout.resumableTmp, id);

  async function find(userId: number, id: string) {
    if (!/^[a-f0-9]{32}$/.test(id)) return null;
    return prisma.uploadSession.findFirst({ where: { id, userId } });
  }

  return {
    async init(userId: number, metadata: UploadMetadata, file: { filename: string; size: number; mimeType: string | null }): Promise<Result<{ id: string }, ResumableRefusal>> {
      const allowed = await deps.videos.checkUploadAllowed(userId, metadata.channelId, file.size);
      if (!allowed.ok) return allowed;
      const id = randomBytes(16).toString('hex');
      await (await open(pathOf(id), 'w')).close();
      await prisma.uploadSession.create({
        data: {
          id,
          userId,
          metadata: metadata as object,
          filename: file.filename,
          mimeType: file.mimeType,
          size: BigInt(file.size),
          expiresAt: new Date(deps.clock.now().getTime() + deps.expirationMs),
        },
      });
      return ok({ id });
    },

    async received(userId: number, id: string): Promise<Result<{ received: number; size: number }, ResumableRefusal>> {
      const session = await find(userId, id);
      if (!session) return fail({ type: 'unknown-upload', message: 'unknown upload id' });
      return ok({ received: Number(session.received), size: Number(session.size) });
    },

    async writeChunk(userId: number, id: string, range: { start: number; end: number; total: number }, body: Readable): Promise<Result<ChunkOutcome, ResumableRefusal>> {
      const session = await find(userId, id);
      if (!session) {
        body.resume();
        return fail({ type: 'unknown-upload', message: 'unknown upload id' });
      }
      const size = Number(session.size);
      const received = Number(session.received);
      if (range.total !== size) {
        body.resume();
        return fail({ type: 'bad-range', message: `Content-Range total ${range.total} differs from the announced size ${size}` });
      }
      if (range.start > received) {
        body.resume();
        return ok({ status: 'incomplete', received });
      }
      const expected = range.end - range.start + 1;
      let written = 0;
      body.on('data', (chunk: Buffer) => {
        written += chunk.length;
      });
      try {
        await pipeline(body, createWriteStream(pathOf(id), { flags: 'r+', start: range.start }));
      } catch {
        // client went away: keep what reached the disk
      }
      const onDisk = (await stat(pathOf(id))).size;
      const nowReceived = Math.min(Math.max(received, range.start + Math.min(written, expected)), onDisk, size);
      await prisma.uploadSession.update({ where: { id }, data: { received: BigInt(nowReceived) } });
      if (nowReceived < size) return ok({ status: 'incomplete', received: nowReceived });

      await prisma.uploadSession.delete({ where: { id } });
      const metadata = uploadMetadataSchema.parse(session.metadata);
      const accepted = await deps.videos.acceptUpload(userId, metadata, {
        path: pathOf(id),
        size,
        originalName: session.filename,
        mimeType: session.mimeType ?? 'application/octet-stream',
      });
      if (!accepted.ok) return accepted;
      return ok({ status: 'complete', video: accepted.value });
    },

    async cancel(userId: number, id: string): Promise<boolean> {
      const session = await find(userId, id);
      if (!session) return false;
      await prisma.uploadSession.delete({ where: { id } });
      await rm(pathOf(id), { force: true });
      return true;
    },

    /** Removes sessions past their expiry and their files (periodic tick). */
    async removeExpired(): Promise<number> {
      const expired = await prisma.uploadSession.findMany({ where: { expiresAt: { lt: deps.clock.now() } } });
      for (const s of expired) {
        await prisma.uploadSession.delete({ where: { id: s.id } });
        await rm(pathOf(s.id), { force: true });
      }
      return expired.length;
    },
  };
}

export type ResumableUploads = ReturnType<typeof createResumableUploads>;
