import { randomBytes } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../../lib/clock.js';
import { fail, ok, type Result } from '../../lib/result.js';
import type { StorageLayout } from '../storage-layout.js';
import type { UploadRefusal, VideoService } from '../video-service.js';
import { writeRange } from './range-writer.js';
import type { UploadAdmission } from './upload-admission.js';
import { uploadMetadataSchema, type UploadMetadata } from './upload-metadata.js';
import type { UploadSessionStore } from './upload-session-store.js';

export type ResumableRefusal =
  | UploadRefusal
  | { type: 'unknown-upload'; message: string }
  | { type: 'bad-range'; message: string }
  /** the chunk is not what its Content-Range says (PeerTube: 409) */
  | { type: 'chunk-mismatch'; message: string }
  /** another chunk of this upload is being written right now (409) */
  | { type: 'busy'; message: string }
  /** the last chunk arrived and the video is being made (PeerTube: 503 with Retry-After) */
  | { type: 'processing'; message: string }
  /** the upload's file is on another node of the cluster (worker id `owner`): the chunk goes there */
  | { type: 'elsewhere'; owner: string; message: string };

export type ChunkOutcome =
  | { status: 'incomplete'; received: number }
  | { status: 'complete'; video: { id: number; uuid: string; shortUUID: string } };

type Range = { start: number; end: number; total: number };

// Content-Range of a chunk: "bytes 0-99/1000", or "bytes */1000" to ask how much arrived.
export function parseContentRange(header: string | undefined): Range | { query: true; total: number } | null {
  if (!header) return null;
  const query = /^bytes \*\/(\d+)$/.exec(header.trim());
  if (query) return { query: true, total: Number(query[1]) };
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (!m) return null;
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (end < start || end >= total) return null;
  return { start, end, total };
}

/** How long a completed upload still answers its last chunk with the same video (PeerTube keeps it 15 minutes). */
const DONE_KEPT_MS = 15 * 60_000;

/**
 * PeerTube's resumable upload protocol (node-uploadx's): a session per upload in the database (so an
 * upload survives a restart) holding its quota reservation; chunks are written at their offset, each
 * exactly the bytes its Content-Range names. One chunk at a time per upload; the last one turns
 * the upload into exactly one video, and a cancel never races a write.
 */
export function createResumableUploads(deps: {
  store: UploadSessionStore;
  admission: UploadAdmission;
  clock: Clock;
  layout: StorageLayout;
  videos: Pick<VideoService, 'acceptUpload'>;
  expirationMs: number;
  /** worker id: the process whose storage holds the files */
  owner: string;
  /**
   * Several nodes on one database: whether the node `owner` is running. An expired session whose
   * node is gone is removed by whichever node sees it (its file went with that node's disk); a
   * live node removes its own. Absent: one process, every session is ours.
   */
  nodeOnline?: (owner: string) => Promise<boolean>;
}) {
  const { store, layout } = deps;
  const pathOf = (id: string) => join(layout.resumableTmp, id);
  /** What this process is doing with an upload right now. */
  const active = new Map<string, { kind: 'writing'; controller: AbortController; done: Promise<unknown> } | { kind: 'processing' }>();
  const unknown = () => fail({ type: 'unknown-upload' as const, message: 'unknown upload id' });
  const processing = () => fail({ type: 'processing' as const, message: 'The upload is already being processed' });

  async function find(userId: number, id: string) {
    if (!/^[a-f0-9]{32}$/.test(id)) return null;
    return store.find(userId, id);
  }
  /** A receiving session whose file another node holds: chunks and cancels go to that node. */
  const heldElsewhere = (session: { owner?: string | null; state: string }) =>
    session.state === 'receiving' && typeof session.owner === 'string' && session.owner !== deps.owner ? session.owner : null;
  const elsewhere = (owner: string) => fail({ type: 'elsewhere' as const, owner, message: `the upload is received by another node (${owner})` });

  async function finish(userId: number, id: string, metadata: UploadMetadata, session: { filename: string; mimeType: string | null }): Promise<Result<ChunkOutcome, ResumableRefusal>> {
    if (!(await store.claimProcessing(id))) return processing();
    active.set(id, { kind: 'processing' });
    let accepted: Awaited<ReturnType<VideoService['acceptUpload']>> | undefined;
    try {
      const size = (await stat(pathOf(id))).size;
      accepted = await deps.videos.acceptUpload(
        userId,
        metadata,
        { path: pathOf(id), size, originalName: session.filename, mimeType: session.mimeType ?? 'application/octet-stream' },
        id,
      );
      if (!accepted.ok) return accepted;
      await store.markDone(id, accepted.value, new Date(deps.clock.now().getTime() + DONE_KEPT_MS));
      return ok({ status: 'complete', video: accepted.value });
    } finally {
      if (!accepted?.ok) await store.remove(id); // the file went with the failed acceptance
      active.delete(id);
    }
  }

  return {
    async init(userId: number, metadata: UploadMetadata, file: { filename: string; size: number; mimeType: string | null }): Promise<Result<{ id: string }, ResumableRefusal>> {
      const id = randomBytes(16).toString('hex');
      const admitted = await deps.admission.admit(userId, metadata.channelId, file.size, id);
      if (!admitted.ok) return admitted;
      try {
        await writeFile(pathOf(id), '');
        await store.create(
          { id, userId, metadata, filename: file.filename, mimeType: file.mimeType, size: file.size, expiresAt: new Date(deps.clock.now().getTime() + deps.expirationMs) },
          deps.owner,
        );
      } catch (err) {
        await rm(pathOf(id), { force: true });
        await deps.admission.release(id);
        throw err;
      }
      return ok({ id });
    },

    async received(userId: number, id: string): Promise<Result<{ received: number; size: number }, ResumableRefusal>> {
      const session = await find(userId, id);
      if (!session) return unknown();
      return ok({ received: session.received, size: session.size });
    },

    /** `declaredLength`: the request's Content-Length when it sent one. */
    async writeChunk(userId: number, id: string, range: Range, body: Readable, declaredLength?: number): Promise<Result<ChunkOutcome, ResumableRefusal>> {
      const session = await find(userId, id);
      if (!session) return unknown();
      if (session.state === 'done') return ok({ status: 'complete', video: session.result as { id: number; uuid: string; shortUUID: string } });
      const owner = heldElsewhere(session);
      if (owner) return elsewhere(owner);
      const current = active.get(id);
      if (session.state === 'processing' || current?.kind === 'processing') return processing();
      if (current) return fail({ type: 'busy', message: 'another chunk of this upload is being written' });
      if (range.total !== session.size) {
        return fail({ type: 'bad-range', message: `Content-Range total ${range.total} differs from the announced size ${session.size}` });
      }
      if (range.start > session.received) return ok({ status: 'incomplete', received: session.received });
      const expected = range.end - range.start + 1;
      if (declaredLength !== undefined && declaredLength !== expected) {
        return fail({ type: 'chunk-mismatch', message: `the chunk has ${declaredLength} bytes but its Content-Range names ${expected}` });
      }

      const controller = new AbortController();
      const writing = writeRange(body, pathOf(id), range.start, expected, controller.signal).catch(() => null);
      active.set(id, { kind: 'writing', controller, done: writing });
      let received = session.received;
      try {
        const outcome = await writing;
        if (!outcome || outcome.outcome === 'cancelled') return unknown(); // no file, or cancelled meanwhile
        if (outcome.outcome === 'overflow') {
          return fail({ type: 'chunk-mismatch', message: `the chunk is longer than the ${expected} bytes its Content-Range names` });
        }
        received = Math.min(Math.max(received, range.start + outcome.written), session.size);
        if (!(await store.setReceived(id, received))) return unknown();
      } finally {
        active.delete(id);
      }
      if (received < session.size) return ok({ status: 'incomplete', received });
      return finish(userId, id, uploadMetadataSchema.parse(session.metadata), session);
    },

    /** DELETE: cancels a receiving upload (a chunk being written stops first); too late once it is being processed. */
    async cancel(userId: number, id: string): Promise<'removed' | 'unknown' | 'processing' | { elsewhere: string }> {
      const session = await find(userId, id);
      if (!session || session.state === 'done') return 'unknown';
      const owner = heldElsewhere(session);
      if (owner) return { elsewhere: owner };
      const current = active.get(id);
      if (session.state === 'processing' || current?.kind === 'processing') return 'processing';
      if (current) {
        current.controller.abort();
        await current.done;
      }
      const removed = await store.remove(id);
      await rm(pathOf(id), { force: true });
      return removed ? 'removed' : 'unknown';
    },

    /** Removes sessions past their expiry and their files (periodic tick); uploads in use are left alone. */
    async removeExpired(): Promise<number> {
      let removed = 0;
      for (const { id, owner } of await store.expired(deps.clock.now())) {
        if (active.has(id)) continue;
        // another node's session: that node removes it (and its file), unless it is gone
        if (owner !== null && owner !== deps.owner && deps.nodeOnline && (await deps.nodeOnline(owner))) continue;
        if (await store.remove(id)) removed++;
        await rm(pathOf(id), { force: true });
      }
      return removed;
    },

    /** Upload ids this process is writing or processing now (the sweep leaves them alone). */
    inUse: (): ReadonlySet<string> => new Set(active.keys()),
  };
}

export type ResumableUploads = ReturnType<typeof createResumableUploads>;
