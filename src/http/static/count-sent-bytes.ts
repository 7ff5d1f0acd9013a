import type { Writable, Readable } from 'node:stream';

/**
 * Calls `onBytes(n)` for every chunk that the body stream hands to the (still open) HTTP
 * response — bytes we really wrote to the connection, not the file size and not what was read
 * ahead. When the client aborts, the response is destroyed, the pipe stops and nothing more is
 * counted (bytes still in the kernel's socket buffer at that moment are counted as sent).
 *
 * How: koa pipes the body into the response; a paused stream with our own `data` listener does
 * not start flowing until that pipe resumes it, so both listeners see exactly the same chunks.
 */
export function countSentBytes<T extends Readable>(
  stream: T,
  response: Writable,
  onBytes: (n: number) => void,
): T {
  stream.pause();
  stream.on('data', (chunk: Buffer | string) => {
    if (response.destroyed) return;
    const n = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (n > 0) onBytes(n);
  });
  return stream;
}
