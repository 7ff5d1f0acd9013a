/**
 * Groups writes: while `writers` batches are being written (one by default), newly submitted rows
 * wait and go together in a next batch (at most `maxBatch` a batch). `write` stores a batch in ONE
 * statement and tells, per row (same order), whether it was new. If a batch write fails, its rows are
 * written again one by one, so a row the database refuses fails alone and the others are stored.
 *
 * With several writers, rows of one `key` are still written in submission order: a batch never
 * takes a row whose key is held by a batch being written (nor any later row of that key), so a later
 * row of a key is never stored before an earlier one.
 */
export function createBatchedWriter<Row>(options: {
  maxBatch: number;
  writers?: number;
  key?: (row: Row) => string;
  write(rows: readonly Row[]): Promise<readonly boolean[]>;
}) {
  interface Pending {
    row: Row;
    key: string;
    done: (isNew: boolean) => void;
    failed: (err: unknown) => void;
  }
  const waiting: Pending[] = [];
  const writers = Math.max(1, options.writers ?? 1);
  const keyOf = options.key ?? (() => '');
  /** keys of the batches being written, with how many rows of each */
  const held = new Map<string, number>();
  let writing = 0;

  async function writeOneByOne(batch: readonly Pending[]): Promise<void> {
    for (const p of batch) {
      try {
        const [isNew] = await options.write([p.row]);
        p.done(isNew === true);
      } catch (err) {
        p.failed(err);
      }
    }
  }

  /** The next batch: waiting rows in order, skipping keys held by batches being written. */
  function takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const skipped = new Set<string>();
    for (let i = 0; i < waiting.length && batch.length < options.maxBatch; ) {
      const p = waiting[i]!;
      if (held.has(p.key) || skipped.has(p.key)) {
        skipped.add(p.key);
        i++;
        continue;
      }
      batch.push(p);
      waiting.splice(i, 1);
    }
    for (const p of batch) held.set(p.key, (held.get(p.key) ?? 0) + 1);
    return batch;
  }

  function release(batch: readonly Pending[]): void {
    for (const p of batch) {
      const n = (held.get(p.key) ?? 1) - 1;
      if (n > 0) held.set(p.key, n);
      else held.delete(p.key);
    }
  }

  async function drain(): Promise<void> {
    writing++;
    try {
      for (let batch = takeBatch(); batch.length > 0; batch = takeBatch()) {
        try {
          const created = await options.write(batch.map((p) => p.row));
          batch.forEach((p, i) => p.done(created[i] === true));
        } catch (err) {
          if (batch.length === 1) batch[0]!.failed(err);
          else await writeOneByOne(batch);
        } finally {
          release(batch);
        }
      }
    } finally {
      writing--;
      // rows skipped for a key another writer held: the last writer to finish picks them up
      if (waiting.length > 0 && writing === 0) void drain();
    }
  }

  return {
    /** resolves with true when the row was new, false when it was already stored */
    submit(row: Row): Promise<boolean> {
      return new Promise((done, failed) => {
        waiting.push({ row, key: keyOf(row), done, failed });
        if (writing < writers) void drain();
      });
    },
  };
}
