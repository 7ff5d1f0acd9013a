import type http from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { PinnedResponse } from './lean-http.js';
import { describeError, type NetFailure } from './net-failure.js';

export type ReadBodyResult = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly reason: NetFailure };

/** lower-case names; repeated headers joined with ", " */
export function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function decoderFor(encoding: string): ReturnType<typeof createGunzip> | null | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Reads a (small) answer's body into memory, decoding gzip/deflate/br; over `maxBytes` (on the
 * wire or decoded) it stops. The signal's abort ends it with `aborted`.
 */
export function readDecodedBody(res: PinnedResponse, maxBytes: number, signal: AbortSignal): Promise<ReadBodyResult> {
  return new Promise((resolve) => {
    const tooLarge: NetFailure = { type: 'too-large', message: `the response is larger than ${maxBytes} bytes`, limit: maxBytes };
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      resolve({ ok: false, reason: tooLarge });
      return;
    }
    const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
    const decoder = decoderFor(encoding);
    if (decoder === undefined) {
      res.destroy();
      resolve({ ok: false, reason: { type: 'network', message: `unsupported Content-Encoding ${encoding.slice(0, 40)}` } });
      return;
    }
    let done = false;
    const chunks: Buffer[] = [];
    let wire = 0;
    let size = 0;
    const finish = (outcome: ReadBodyResult) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      if (!outcome.ok) {
        res.destroy();
        decoder?.destroy();
      }
      resolve(outcome);
    };
    const broken = (what: string, err: unknown) =>
      finish({
        ok: false,
        reason: signal.aborted ? { type: 'aborted', message: 'the response did not complete in time' } : { type: 'network', message: `${what}: ${describeError(err)}` },
      });
    const onAbort = () => broken('aborted', new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });

    const decoded = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish({ ok: false, reason: tooLarge });
        return;
      }
      chunks.push(chunk);
    };
    const whole = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    if (decoder !== null) {
      decoder.on('error', (err) => broken(`cannot decode the ${encoding} body`, err));
      decoder.on('data', decoded);
      decoder.on('end', whole);
    }
    res.on('data', (chunk: Buffer) => {
      wire += chunk.length;
      if (wire > maxBytes) finish({ ok: false, reason: tooLarge });
      else if (decoder === null) decoded(chunk);
      else decoder.write(chunk);
    });
    res.on('end', () => {
      if (decoder === null) whole();
      else decoder.end();
    });
    res.on('error', (err) => broken('the response broke off', err));
    res.on('close', () => {
      if (!res.complete) broken('the response broke off', new Error('connection closed before the body was complete'));
    });
    if (signal.aborted) onAbort();
  });
}
