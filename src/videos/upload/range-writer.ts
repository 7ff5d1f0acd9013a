import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/**
 * How a chunk ended: all its bytes written; the body ended or the client went away before its
 * last byte (`short`: the bytes written are kept, as the resumable protocol wants); more bytes came
 * than the range names (`overflow`: nothing past the range is written); or the upload was cancelled.
 */
export type RangeOutcome = 'complete' | 'short' | 'overflow' | 'cancelled' | 'write-failed';

/**
 * Writes exactly `length` bytes of `body` at `start` in an existing file, and never one byte more:
 * a body longer than its Content-Range stops at the range. When the signal fires, the write in
 * flight (if any) finishes, then the promise resolves: the caller may remove the file at once.
 * A body that is not read to its end is drained and discarded, so the answer still reaches the client.
 */
export function writeRange(body: Readable, path: string, start: number, length: number, signal: AbortSignal): Promise<{ written: number; outcome: RangeOutcome }> {
  return open(path, 'r+').then(
    (handle) =>
      new Promise((resolve) => {
        let written = 0;
        let queued = 0;
        let inflight: Promise<void> = Promise.resolve();
        let finished = false;

        const finish = (outcome: RangeOutcome): void => {
          if (finished) return;
          finished = true;
          body.off('data', onData);
          signal.removeEventListener('abort', onAbort);
          if (outcome !== 'complete' && outcome !== 'short') body.resume(); // drain and discard the rest
          void inflight
            .then(() => handle.close())
            .catch(() => undefined)
            .then(() => resolve({ written, outcome }));
        };
        const onAbort = (): void => finish('cancelled');
        const onData = (chunk: Buffer): void => {
          if (finished) return;
          const room = length - queued;
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          const at = start + queued;
          queued += part.length;
          const overflow = chunk.length > room;
          if (part.length > 0) {
            body.pause();
            inflight = inflight
              .then(() => handle.write(part, 0, part.length, at))
              .then(
                () => {
                  written += part.length;
                  if (!finished && !overflow) body.resume();
                },
                () => finish('write-failed'),
              );
          }
          if (overflow) finish('overflow');
        };

        if (signal.aborted) return finish('cancelled');
        signal.addEventListener('abort', onAbort, { once: true });
        body.on('data', onData);
        body.once('end', () => finish(queued === length ? 'complete' : 'short'));
        body.once('error', () => finish('short'));
        body.once('close', () => finish('short')); // closed without 'end': the client went away
      }),
  );
}
