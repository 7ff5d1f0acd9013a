import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createColdReads, POOL_CHUNK, readExactly, SMALL_READ, type Part } from '../../../src/http/static/cold-reads.js';

// The cold-range budget of the static fast path: bytes read into pooled buffers count as in flight
// until released; a range that would pass the budget is streamed instead, small ones never are.

describe('cold reads of the static fast path', () => {
  let tmp = '';
  let file = '';
  const content = randomBytes(2 * POOL_CHUNK + 12_345);

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-cold-reads-'));
    file = path.join(tmp, 'segment.mp4');
    await writeFile(file, content);
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads a range in pooled chunks, counted in flight until each is released', async () => {
    const handle = await open(file, 'r');
    try {
      const cold = createColdReads();
      const start = 100;
      const end = content.length - 7;
      const parts = await cold.readPooled(handle, start, end);
      expect(parts.map((p) => p.bytes.length)).toEqual([POOL_CHUNK, POOL_CHUNK, end - start + 1 - 2 * POOL_CHUNK]);
      expect(Buffer.concat(parts.map((p) => p.bytes)).equals(content.subarray(start, end + 1))).toBe(true);
      expect(cold.inFlight()).toBe(end - start + 1);
      for (const part of parts) cold.release(part.bytes, part.pooled!);
      expect(cold.inFlight()).toBe(0);
    } finally {
      await handle.close();
    }
  });

  it('a range past the end of the file reads nothing: it throws ESHORT and leaves nothing in flight', async () => {
    const handle = await open(file, 'r');
    try {
      const cold = createColdReads();
      await expect(cold.readPooled(handle, content.length - 10, content.length + POOL_CHUNK)).rejects.toMatchObject({ code: 'ESHORT' });
      expect(cold.inFlight()).toBe(0);
      await expect(readExactly(handle, content.length - 1, 2)).rejects.toMatchObject({ code: 'ESHORT' });
      expect((await readExactly(handle, 5, 10)).equals(content.subarray(5, 15))).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('the budget counts what is in flight; reads up to SMALL_READ always fit', async () => {
    expect(createColdReads(0).overBudget(SMALL_READ)).toBe(false);
    expect(createColdReads(SMALL_READ).overBudget(SMALL_READ + 1)).toBe(true);
    expect(createColdReads(SMALL_READ + 1).overBudget(SMALL_READ + 1)).toBe(false);
    const cold = createColdReads(POOL_CHUNK + SMALL_READ + 1);
    const handle = await open(file, 'r');
    try {
      const held: Part[] = await cold.readPooled(handle, 0, POOL_CHUNK - 1);
      expect(cold.overBudget(SMALL_READ + 1)).toBe(false);
      expect(cold.overBudget(SMALL_READ + 2)).toBe(true);
      expect(cold.overBudget(SMALL_READ)).toBe(false);
      // another handler's budget is its own
      expect(createColdReads(POOL_CHUNK + SMALL_READ + 1).overBudget(SMALL_READ + 2)).toBe(false);
      for (const part of held) cold.release(part.bytes, part.pooled!);
      expect(cold.overBudget(SMALL_READ + 2)).toBe(false);
    } finally {
      await handle.close();
    }
  });
});
