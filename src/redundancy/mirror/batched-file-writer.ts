import { open, type FileHandle } from 'node:fs/promises';
import type { BodySink } from './body-transfer.js';

/** Bytes gathered before one write. */
export const WRITE_BATCH_BYTES = 1024 * 1024;

export interface BatchedFileWriter extends BodySink {
  /**
   * Writes what is still gathered (also after a failed transfer: those bytes are what the next
   * attempt resumes from), waits for every write and closes the file. Returns the first disk
   * error, if any (then the bytes after it were not written).
   */
  close(): Promise<NodeJS.ErrnoException | undefined>;
}

/** `writev` until every byte is written (a write may be partial). */
async function writeAll(handle: FileHandle, buffers: readonly Buffer[], at: number): Promise<void> {
  let offset = at;
  let rest = buffers;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest, offset);
    offset += bytesWritten;
    let skip = bytesWritten;
    const left: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) skip -= b.length;
      else {
        left.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    rest = left;
  }
}

/**
 * Opens `path` for writing at `start` (a new file from 0, or a partial one continued) and writes
 * the chunks pushed to it in batches of about `batchBytes` with one `writev` each, at most one in
 * flight while the next batch fills; when both are full, push() returns false and the source
 * waits for drained(). A write per network chunk would cost a thread-pool round trip each.
 */
export async function openBatchedFileWriter(path: string, start: number, batchBytes: number = WRITE_BATCH_BYTES): Promise<BatchedFileWriter> {
  const handle = await open(path, start === 0 ? 'w' : 'r+');
  let position = start;
  let batch: Buffer[] = [];
  let gathered = 0;
  let inflight: Promise<void> | undefined;
  let failure: NodeJS.ErrnoException | undefined;

  const writeBatch = () => {
    const buffers = batch;
    const at = position;
    position += gathered;
    batch = [];
    gathered = 0;
    inflight = writeAll(handle, buffers, at).then(
      () => {
        inflight = undefined;
      },
      (err: NodeJS.ErrnoException) => {
        failure ??= err;
        inflight = undefined;
      },
    );
  };
  const settled = async () => {
    while (inflight !== undefined) await inflight;
  };

  return {
    push(chunk) {
      if (failure !== undefined) return false;
      batch.push(chunk);
      gathered += chunk.length;
      if (gathered < batchBytes) return true;
      if (inflight === undefined) {
        writeBatch();
        return true;
      }
      return false;
    },
    async drained() {
      await settled();
      if (failure !== undefined) throw failure;
      if (gathered >= batchBytes) writeBatch();
    },
    async close() {
      try {
        await settled();
        if (failure === undefined && gathered > 0) {
          writeBatch();
          await settled();
        }
      } finally {
        await handle.close().catch(() => undefined);
      }
      return failure;
    },
  };
}
