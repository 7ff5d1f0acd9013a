import type { CopyStore, OurCopy, OurCopyState } from '../../../src/redundancy/engine-ports.js';

/** A copy as the fake keeps it: what the engine reads, plus what it writes and never reads back. */
export interface FakeCopyRow extends OurCopy {
  url: string;
  fileUrl: string;
  failures: number;
  lastVerifiedAt: Date | null;
  updatedAt: Date;
}

/**
 * In-memory CopyStore: our copies in a Map, ids from 1. `checkpoint()` returns a function that
 * puts the rows back as they were (the fake transactor rolls back with it). `videos` supplies each
 * copy's video uuid and url (the database's join).
 */
export function createFakeCopyStore(videos: (videoId: number) => { uuid: string; url: string }) {
  let rows = new Map<number, FakeCopyRow>();
  let nextId = 1;
  const clone = (r: FakeCopyRow): FakeCopyRow => ({ ...r });
  const read = (r: FakeCopyRow | undefined): OurCopy | null => (r ? clone(r) : null);

  const store: CopyStore = {
    async list() {
      return [...rows.values()].sort((a, b) => a.id - b.id).map(clone);
    },
    async find(id) {
      return read(rows.get(id));
    },
    async findByVideo(videoId) {
      return read([...rows.values()].find((r) => r.videoId === videoId));
    },
    async create(copy) {
      if ([...rows.values()].some((r) => r.videoId === copy.videoId)) throw new Error(`unique constraint: a copy of video ${copy.videoId} exists`);
      if ([...rows.values()].some((r) => r.url === copy.url)) throw new Error(`unique constraint: url ${copy.url}`);
      const id = nextId++;
      const video = videos(copy.videoId);
      rows.set(id, {
        id,
        videoId: copy.videoId,
        videoUuid: video.uuid,
        videoUrl: video.url,
        state: 'planned',
        strategy: copy.strategy,
        sizeBytes: copy.sizeBytes,
        expiresOn: copy.expiresOn,
        reason: copy.reason,
        createdAt: copy.createdAt,
        graceUntil: null,
        sourceFileSet: null,
        url: copy.url,
        fileUrl: copy.fileUrl,
        failures: 0,
        lastVerifiedAt: null,
        updatedAt: copy.createdAt,
      });
      return id;
    },
    async update(id, change) {
      const row = rows.get(id);
      if (!row) throw new Error(`copy ${id} not found`);
      const { countFailure, ...fields } = change;
      const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      rows.set(id, { ...row, ...defined, failures: row.failures + (countFailure ? 1 : 0) });
    },
    async remove(id, options = {}) {
      const row = rows.get(id);
      if (!row || (options.state && row.state !== options.state)) return false;
      rows.delete(id);
      return true;
    },
    async removeFailedBefore(before) {
      for (const [id, r] of rows) if (r.state === 'failed' && r.updatedAt < before) rows.delete(id);
    },
    async failUnfinished(id, reason, at) {
      const row = rows.get(id);
      if (!row || (row.state !== 'planned' && row.state !== 'downloading')) return;
      rows.set(id, { ...row, state: 'failed', reason, failures: row.failures + 1, updatedAt: at });
    },
  };

  return {
    store,
    /** the rows as they are now (copies) */
    rows: (): FakeCopyRow[] => [...rows.values()].sort((a, b) => a.id - b.id).map(clone),
    row: (id: number): FakeCopyRow | undefined => (rows.get(id) ? clone(rows.get(id)!) : undefined),
    states: (): OurCopyState[] => [...rows.values()].sort((a, b) => a.id - b.id).map((r) => r.state),
    /** a row as a crash or another process left it */
    put(row: FakeCopyRow): void {
      rows.set(row.id, clone(row));
      nextId = Math.max(nextId, row.id + 1);
    },
    checkpoint(): () => void {
      const saved = new Map([...rows].map(([id, r]) => [id, clone(r)]));
      return () => {
        rows = saved;
      };
    },
  };
}

export type FakeCopyStore = ReturnType<typeof createFakeCopyStore>;
