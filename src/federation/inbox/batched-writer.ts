/**
 * Groups writes: while one batch is being written, newly submitted rows wait and go together in
 * the next (at most `maxBatch` a batch). `write` stores a batch in ONE statement and tells, per row
 * (same order), whether it was new. If a batch write fails, its rows are written again one by one,
 * so a row the database refuses fails alone and the others are stored.
 */
export function createBatchedWriter<Row>(options: { maxBatch: number; write(rows: readonly Row[]): Promise<readonly boolean[]> }) {
  interface Pending {
    row: Row;
    done: (isNew: boolean) => void;
    failed: (err: unknown) => void;
  }
  const waiting: Pending[] = [];
  let writing = false;

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

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.splice(0, options.maxBatch);
        try {
          const created = await options.write(batch.map((p) => p.row));
          batch.forEach((p, i) => p.done(created[i] === true));
        } catch (err) {
          if (batch.length === 1) batch[0]!.failed(err);
          else await writeOneByOne(batch);
        }
      }
    } finally {
      writing = false;
    }
  }

  return {
    /** resolves with true when the row was new, false when it was already stored */
    submit(row: Row): Promise<boolean> {
      return new Promise((done, failed) => {
        waiting.push({ row, done, failed });
        if (!writing) void drain();
      });
    },
  };
}
