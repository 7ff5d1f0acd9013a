import type { PinnedResponse } from '../../net/index.js';
import { StopTransfer } from './download-failure.js';
import type { Timer, TokenBucket } from './token-bucket.js';

/** Sees every byte of the file in order from 0, including the part already on disk when resuming. */
export interface ChunkObserver {
  /** the file starts again from byte 0 */
  restart(): void;
  /** refuse to go on by returning ok: false */
  update(chunk: Uint8Array, offset: number): { readonly ok: true } | { readonly ok: false; readonly message: string };
}

/** Where the body goes. */
export interface BodySink {
  /** takes the next chunk; false asks the transfer to stop reading until `drained()` resolves */
  push(chunk: Buffer): boolean;
  /** resolves when the sink takes more; rejects with the sink's own failure (a disk error) */
  drained(): Promise<void>;
}

export interface BodyTransferOptions {
  /** where the body starts in the file (a resumed download starts after the part on disk) */
  readonly start: number;
  /** the file may not grow past this many bytes */
  readonly maxBytes: number;
  readonly observer?: ChunkObserver;
  /** every body byte as it arrives */
  readonly onBytes: (bytes: number) => void;
  /** the shared bandwidth cap, if any */
  readonly throttle?: { readonly bucket: TokenBucket; readonly timer: Timer };
  readonly signal: AbortSignal;
  /** no body byte for this long → the transfer fails; time we hold the body back (the cap, the sink) does not count */
  readonly idleMs: number;
}

export type TransferEnd =
  | { readonly ok: true; readonly position: number }
  /** `error`: a StopTransfer (a refusal), the sink's failure, or the connection's; `idle`: the idle time-out fired */
  | { readonly ok: false; readonly position: number; readonly error: unknown; readonly idle: boolean };

/**
 * Moves an answer's body into a sink, chunk by chunk as the socket delivers it (no per-chunk
 * promise): counts the bytes, enforces the size cap, lets the observer see (and refuse) each chunk
 * at its offset, and pauses the socket while the bandwidth cap or the sink asks to wait. Each chunk
 * reaches the sink only after the observer accepted it. Resolves once, at the body's end or its
 * first failure; on failure the answer is destroyed (its connection is never reused).
 */
export function transferBody(res: PinnedResponse, sink: BodySink, options: BodyTransferOptions): Promise<TransferEnd> {
  return new Promise((resolve) => {
    let position = options.start;
    let settled = false;
    let idleFired = false;
    let holds = 0;
    // refreshed per chunk (cheaper than a new timer each time); it does not fire while we hold the body back
    const idle = setTimeout(() => {
      if (holds > 0 || settled) return;
      idleFired = true;
      res.destroy(new Error(`no body byte for ${options.idleMs} ms`));
    }, options.idleMs);

    const settle = (end: TransferEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      res.off('data', onData);
      res.off('end', onEnd);
      res.off('error', fail);
      res.off('close', onClose);
      if (!end.ok) res.destroy();
      resolve(end);
    };
    function fail(error: unknown) {
      settle({ ok: false, position, error, idle: idleFired });
    }
    /** stop reading until `until` settles: we, not the server, are slow, so the idle clock stops too */
    const hold = (until: Promise<void>) => {
      if (holds++ === 0) res.pause();
      until.then(() => {
        if (--holds > 0 || settled) return;
        idle.refresh();
        res.resume();
      }, fail);
    };
    function onData(chunk: Buffer) {
      if (settled) return;
      idle.refresh();
      options.onBytes(chunk.length);
      if (position + chunk.length > options.maxBytes) {
        fail(new StopTransfer({ type: 'too-large', message: `more than ${options.maxBytes} bytes`, limit: options.maxBytes }));
        return;
      }
      if (options.observer !== undefined) {
        const verdict = options.observer.update(chunk, position);
        if (!verdict.ok) {
          fail(new StopTransfer({ type: 'rejected', message: verdict.message }));
          return;
        }
      }
      position += chunk.length;
      if (!sink.push(chunk)) hold(sink.drained());
      if (options.throttle !== undefined) {
        const ms = options.throttle.bucket.reserve(chunk.length);
        if (ms > 0) hold(options.throttle.timer.wait(ms, options.signal));
      }
    }
    function onEnd() {
      if (res.complete) settle({ ok: true, position });
      else fail(new Error('the connection closed before the body was complete'));
    }
    function onClose() {
      fail(new Error('the connection closed before the body was complete'));
    }
    res.on('data', onData);
    res.on('end', onEnd);
    res.on('error', fail);
    res.on('close', onClose);
    if (options.signal.aborted) fail(new Error('aborted'));
  });
}

/** A sink that keeps the body in memory (documents). */
export function memorySink(): BodySink & { body(): Buffer } {
  const chunks: Buffer[] = [];
  let length = 0;
  return {
    push(chunk) {
      chunks.push(chunk);
      length += chunk.length;
      return true;
    },
    drained: () => Promise.resolve(),
    body: () => Buffer.concat(chunks, length),
  };
}
