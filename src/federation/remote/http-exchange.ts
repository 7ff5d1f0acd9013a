import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { ResolvedAddress } from './dns-lookup.js';
import type { FetchFailure } from './fetch-result.js';

/** One HTTP request to addresses already vetted: no redirect handling, no DNS of its own. */
export interface ExchangeRequest {
  readonly url: URL;
  /** the only addresses the socket may connect to (host names are never resolved again) */
  readonly addresses: readonly ResolvedAddress[];
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** aborted when the whole fetch's deadline passes */
  readonly signal: AbortSignal;
  readonly connectTimeoutMs: number;
}

export interface ExchangeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Reads the body, decoding gzip/deflate/br; over `maxBytes` (on the wire or decoded) it stops. */
  readBody(maxBytes: number): Promise<{ ok: true; body: Buffer } | { ok: false; reason: FetchFailure }>;
  /** Drops the response without reading it (closes the connection). */
  discard(): void;
}

export type ExchangeOutcome = { readonly ok: true; readonly response: ExchangeResponse } | { readonly ok: false; readonly reason: FetchFailure };

function describe(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && typeof message === 'string') return `${code}: ${message}`;
    if (typeof message === 'string') return message;
  }
  return String(err);
}

/**
 * A `lookup` for the socket that answers with the vetted addresses whatever name it is asked for:
 * the connection goes where the check looked, so a DNS answer that changes between the check and
 * the connect (rebinding) is never used. Handles both the single and the `all` (happy eyeballs) forms.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : undefined;
    const usable = family === undefined ? addresses : addresses.filter((a) => a.family === family);
    const first = usable[0];
    if (first === undefined) {
      callback(Object.assign(new Error(`no vetted IPv${family ?? ''} address`), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options.all === true) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, first.address, first.family);
  };
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function decoderFor(encoding: string): Readable & NodeJS.WritableStream | null | undefined {
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

function readBody(
  res: http.IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
): Promise<{ ok: true; body: Buffer } | { ok: false; reason: FetchFailure }> {
  return new Promise((resolve) => {
    const tooLarge: FetchFailure = { type: 'too-large', message: `the response is larger than ${maxBytes} bytes`, limit: maxBytes };
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
    const finish = (outcome: { ok: true; body: Buffer } | { ok: false; reason: FetchFailure }) => {
      if (done) return;
      done = true;
      if (!outcome.ok) {
        res.destroy();
        decoder?.destroy();
      }
      resolve(outcome);
    };
    const broken = (what: string, err: unknown) =>
      finish({
        ok: false,
        reason: signal.aborted
          ? { type: 'timeout', message: 'the response did not complete in time', phase: 'response' }
          : { type: 'network', message: `${what}: ${describe(err)}` },
      });

    res.on('data', (chunk: Buffer) => {
      wire += chunk.length;
      if (wire > maxBytes) finish({ ok: false, reason: tooLarge });
    });
    res.on('error', (err) => broken('the response broke off', err));
    res.on('close', () => {
      if (!res.complete) broken('the response broke off', new Error('connection closed before the body was complete'));
    });
    const output: Readable = decoder ?? res;
    if (decoder !== null) {
      decoder.on('error', (err) => broken(`cannot decode the ${encoding} body`, err));
      res.pipe(decoder);
    }
    output.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish({ ok: false, reason: tooLarge });
        return;
      }
      chunks.push(chunk);
    });
    output.on('end', () => finish({ ok: true, body: Buffer.concat(chunks, size) }));
  });
}

/**
 * Sends one request and resolves on the response head (or a failure). The connect time-out
 * covers the TCP connect; the caller's signal covers everything up to the last body byte.
 */
export function exchange(input: ExchangeRequest): Promise<ExchangeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let connectTimedOut = false;
    const settle = (outcome: ExchangeOutcome) => {
      clearTimeout(connectTimer);
      if (settled) return;
      settled = true;
      resolve(outcome);
    };

    const transport = input.url.protocol === 'https:' ? https : http;
    const req = transport.request(input.url, {
      method: input.method,
      headers: input.headers,
      lookup: pinnedLookup(input.addresses),
      // a fresh connection per request: no pooled socket to an address vetted for another request
      agent: false,
      signal: input.signal,
    });
    const connectTimer = setTimeout(() => {
      connectTimedOut = true;
      req.destroy(new Error('connect time-out'));
    }, input.connectTimeoutMs);
    req.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', (err) => {
      if (connectTimedOut) settle({ ok: false, reason: { type: 'timeout', message: `no connection to ${input.url.host} in ${input.connectTimeoutMs} ms`, phase: 'connect' } });
      else if (input.signal.aborted) settle({ ok: false, reason: { type: 'timeout', message: `no answer from ${input.url.host} in time`, phase: 'response' } });
      else settle({ ok: false, reason: { type: 'network', message: `request to ${input.url.host} failed: ${describe(err)}` } });
    });
    req.on('response', (res) => {
      // readBody attaches the real handlers; until then an error must not go unhandled
      res.on('error', () => undefined);
      settle({
        ok: true,
        response: {
          status: res.statusCode ?? 0,
          headers: flattenHeaders(res.headers),
          readBody: (maxBytes) => readBody(res, maxBytes, input.signal),
          discard: () => res.destroy(),
        },
      });
    });
    req.end(input.body);
  });
}
