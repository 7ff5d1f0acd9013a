import type { FileHandle } from 'node:fs/promises';

// Cold ranges of the static fast path (fast-static.ts): bytes read from a file into pooled buffers
// for one answer, under a budget of bytes in flight over all answers being written.

/** Read buffers of cold ranges, reused once their bytes are handed to the connection (no fresh memory per request). */
export const POOL_CHUNK = 1024 * 1024;
const POOL_MAX = 32;
/**
 * Bytes of cold ranges read into memory for answers still being written, over all connections of
 * one handler: beyond `maxReadInFlight` (default below) a range is streamed from the file instead
 * (the same answer, with at most one chunk per connection in memory), so slow clients asking for
 * large ranges do not hold their whole ranges in memory at once. Ranges up to SMALL_READ are always read.
 */
export const MAX_READ_IN_FLIGHT = 32 * 1024 * 1024;
export const SMALL_READ = 64 * 1024;

/** A part of a body: bytes, and the pooled buffer they live in (given back once written). */
export interface Part {
  bytes: Buffer;
  pooled?: Buffer;
}

/** The cold reads of one static handler: its buffer pool and its budget of bytes in flight (no state shared between handlers). */
export function createColdReads(maxReadInFlight = MAX_READ_IN_FLIGHT) {
  const pool: Buffer[] = [];
  let readInFlight = 0;
  const takeBuffer = () => pool.pop() ?? Buffer.allocUnsafeSlow(POOL_CHUNK);
  const giveBack = (buffer: Buffer) => void (pool.length < POOL_MAX ? pool.push(buffer) : undefined);

  /** A pooled read handed to the connection (or dropped): its bytes leave the in-flight count, its buffer the pool. */
  function release(bytes: Buffer, pooled: Buffer): void {
    readInFlight -= bytes.length;
    giveBack(pooled);
  }

  return {
    /** bytes of cold ranges read into memory and not yet handed to the connections */
    inFlight: () => readInFlight,
    /** Would reading `pooledBytes` more into memory pass the budget (then the range is streamed instead)? Small reads always fit. */
    overBudget: (pooledBytes: number): boolean => pooledBytes > SMALL_READ && readInFlight + pooledBytes > maxReadInFlight,
    release,
    /** start..end (inclusive) in pooled buffers of POOL_CHUNK bytes, read in parallel (counted in flight until released). */
    async readPooled(handle: FileHandle, start: number, end: number): Promise<Part[]> {
      const reads: Array<Promise<Part>> = [];
      for (let from = start; from <= end; from += POOL_CHUNK) {
        const length = Math.min(POOL_CHUNK, end - from + 1);
        const pooled = takeBuffer();
        readInFlight += length;
        reads.push(readExactly(handle, from, length, pooled).then((bytes) => ({ bytes, pooled })));
      }
      const settled = await Promise.allSettled(reads);
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) {
        // nothing of a failed range is answered: every chunk leaves the count
        let from = start;
        for (const r of settled) {
          const length = Math.min(POOL_CHUNK, end - from + 1);
          from += POOL_CHUNK;
          if (r.status === 'fulfilled') release(r.value.bytes, r.value.pooled!);
          else readInFlight -= length;
        }
        throw failed.reason;
      }
      return settled.map((r) => (r as PromiseFulfilledResult<Part>).value);
    },
  };
}

export type ColdReads = ReturnType<typeof createColdReads>;

/** `length` bytes at `position` (into `into` when given); a file shorter than that throws with code ESHORT. */
export async function readExactly(handle: FileHandle, position: number, length: number, into?: Buffer): Promise<Buffer> {
  const buffer = into ? into.subarray(0, length) : Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw Object.assign(new Error('file shorter than its stat'), { code: 'ESHORT' });
    done += bytesRead;
  }
  return buffer;
}
