import { open, stat, truncate, type FileHandle } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import PQueue from 'p-queue';
import type { Clock } from '../../lib/clock.js';
import {
  parseRemoteUrl,
  resolveDestination,
  systemLookup,
  type DestinationPolicy,
  type FetchFailure,
  type LookupAddresses,
  type ResolvedAddress,
} from '../../federation/remote/index.js';
// The socket-level pin of the SSRF guard (connect only to the vetted addresses). Not re-exported by
// federation/remote/index.ts; imported from its file so there is one implementation of the pin.
import { pinnedLookup } from '../../federation/remote/http-exchange.js';
import { decideResume } from './range-resume.js';
import { createTokenBucket, systemTimer, type Timer, type TokenBucket } from './token-bucket.js';

/** Why a download did not complete. Expected failures are values. */
export type DownloadFailure =
  | FetchFailure
  | { readonly type: 'aborted'; readonly message: string }
  | { readonly type: 'disk'; readonly message: string; readonly code?: string }
  /** the observer refused the bytes (a hash mismatch, the copy's size cap) */
  | { readonly type: 'rejected'; readonly message: string };

/** Sees every byte of the file in order from 0, including the part already on disk when resuming. */
export interface ChunkObserver {
  /** the file starts again from byte 0 */
  restart(): void;
  /** refuse to go on by returning ok: false */
  update(chunk: Uint8Array, offset: number): { readonly ok: true } | { readonly ok: false; readonly message: string };
}

export interface DownloadFileOptions {
  /** the file may not grow past this many bytes */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
  /** bytes received for this call (on top of the downloader's own onBytes) */
  readonly onBytes?: (bytes: number) => void;
  readonly observer?: ChunkObserver;
}

export type DownloadFileResult =
  | { readonly ok: true; readonly size: number; readonly resumedFrom: number; readonly attempts: number; readonly requests: readonly RequestRecord[] }
  | { readonly ok: false; readonly reason: DownloadFailure; readonly attempts: number; readonly requests: readonly RequestRecord[] };

/** What each attempt asked and got: for logs and tests of the resume logic. */
export interface RequestRecord {
  readonly range?: string;
  readonly status?: number;
  readonly contentRange?: string;
  readonly outcome: string;
}

export interface FetchDocumentOptions {
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
  readonly onBytes?: (bytes: number) => void;
}

export type FetchDocumentResult =
  | { readonly ok: true; readonly body: Buffer; readonly url: string; readonly headers: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly reason: DownloadFailure };

/** The port the mirror downloads through (DESIGN §2.2: defined by its user, small). */
export interface Downloader {
  /** A small document (playlist, JSON, .torrent) into memory. */
  fetchDocument(url: string | URL, options: FetchDocumentOptions): Promise<FetchDocumentResult>;
  /**
   * Streams a file to `path`. A file already there is a partial download: it continues with
   * `Range: bytes=<size>-` and is used only if the server answers 206 from exactly that byte;
   * otherwise it starts over from 0. Connection failures are retried at once, resuming.
   */
  downloadFile(url: string | URL, path: string, options: DownloadFileOptions): Promise<DownloadFileResult>;
}

export interface HttpDownloaderOptions {
  /** false in production: only public addresses are contacted (federation.allow_private_addresses) */
  readonly allowPrivateAddresses: boolean;
  readonly allowedPrivateHosts?: readonly string[];
  /** requests in flight at once, across every copy using this downloader */
  readonly concurrency: number;
  /** shared by every download; 0 = unlimited */
  readonly bytesPerSecond: number;
  /** bucket size; default one second of `bytesPerSecond` */
  readonly burstBytes?: number;
  /**
   * Per request to a host: no answer head, or no body byte, for this long → time-out (the transfer
   * as a whole has no deadline: a big file on a slow link is fine as long as bytes keep coming).
   * Time spent waiting for the bandwidth cap does not count.
   */
  readonly timeoutMs: number;
  /** DNS and TCP connect; default min(timeoutMs, 10 s) */
  readonly connectTimeoutMs?: number;
  readonly clock: Clock;
  /** waits of the bandwidth cap; default real timers */
  readonly timer?: Timer;
  readonly userAgent: string;
  readonly lookup?: LookupAddresses;
  /** default 5 */
  readonly maxRedirects?: number;
  /** failed attempts in a row (no byte gained) before a file download gives up; default 3 */
  readonly retries?: number;
  /** every body byte received, whatever the call (seeding ratios count downloaded bytes) */
  readonly onBytes?: (bytes: number, host: string) => void;
}

export interface HttpDownloader extends Downloader {
  /** the shared bandwidth bucket (undefined when unlimited) */
  readonly bucket: TokenBucket | undefined;
  /** requests waiting for a slot and running */
  pending(): { readonly queued: number; readonly running: number };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DOCUMENT_RETRIES = 2;

class StopTransfer extends Error {
  constructor(readonly reason: DownloadFailure) {
    super(reason.message);
  }
}

function describe(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && typeof message === 'string') return message.includes(code) ? message : `${code}: ${message}`;
    if (typeof message === 'string') return message;
  }
  return String(err);
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const isRetryable = (reason: DownloadFailure) => reason.type === 'network' || reason.type === 'timeout';
const aborted = (): DownloadFailure => ({ type: 'aborted', message: 'the download was cancelled' });

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** Reads [0, end) of the file into the observer (the part a resumed download already has). */
async function feedPrefix(path: string, end: number, observer: ChunkObserver): Promise<{ ok: true } | { ok: false; message: string }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    let position = 0;
    while (position < end) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) throw new Error(`${path} shrank while being read`);
      const verdict = observer.update(buffer.subarray(0, bytesRead), position);
      if (!verdict.ok) return verdict;
      position += bytesRead;
    }
    return { ok: true };
  } finally {
    await handle.close();
  }
}

/** Bytes gathered before one write: fewer, larger writes through the thread pool (see writeBody). */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Writes the metered body into the file at `start`, gathering chunks into batches of about 1 MiB
 * written with one `writev` each, at most one in flight while the next batch fills (a write per
 * network chunk costs a thread-pool round trip each, which halves throughput on a busy machine).
 * On any failure (the connection broke, a time-out, a cancel) the bytes already received are still
 * written before returning: that partial file is what the next attempt, or a resumed job, continues from.
 */
async function writeBody(
  res: http.IncomingMessage,
  path: string,
  start: number,
  metered: (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>,
): Promise<{ ok: true } | { ok: false; error: unknown; diskError?: NodeJS.ErrnoException }> {
  let handle: FileHandle;
  try {
    handle = await open(path, start === 0 ? 'w' : 'r+');
  } catch (err) {
    res.destroy();
    return { ok: false, error: err, diskError: err as NodeJS.ErrnoException };
  }
  let diskError: NodeJS.ErrnoException | undefined;
  let position = start;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let inflight: Promise<void> = Promise.resolve();
  const writeAll = async (buffers: Buffer[], at: number) => {
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
  };
  const flush = async () => {
    await inflight; // one write in flight: the next batch fills meanwhile
    if (diskError !== undefined) throw diskError;
    if (batchBytes === 0) return;
    const buffers = batch;
    const at = position;
    position += batchBytes;
    batch = [];
    batchBytes = 0;
    inflight = writeAll(buffers, at).catch((err: NodeJS.ErrnoException) => {
      diskError = err;
    });
  };
  let failure: unknown;
  try {
    for await (const chunk of metered(res)) {
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= WRITE_BATCH_BYTES) await flush();
    }
    if (!res.complete) throw new Error('the connection closed before the body was complete');
  } catch (err) {
    failure = err;
    res.destroy();
  }
  try {
    await flush();
    await inflight;
  } catch {
    // diskError holds it
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (diskError !== undefined) return { ok: false, error: diskError, diskError };
  return failure === undefined ? { ok: true } : { ok: false, error: failure };
}

/** A timer that fires if `touch()` is not called for `ms`; `pause()` while we, not the server, are slow. */
function idleWatch(ms: number, onIdle: () => void) {
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fired = true;
      onIdle();
    }, ms);
  };
  return {
    touch: arm,
    pause: () => clearTimeout(timer),
    stop: () => clearTimeout(timer),
    fired: () => fired,
  };
}

/**
 * Builds the downloader the mirror uses. Every request: the URL must be http(s) without
 * credentials; its host is resolved and vetted by the federation SSRF guard (`resolveDestination`)
 * and the socket connects only to those addresses (`pinnedLookup`); redirects are followed by hand,
 * each target vetted again, never from https to http. Requests share one queue (`concurrency`) and
 * one token bucket (`bytesPerSecond`); every body byte is counted through `onBytes`.
 */
export function createHttpDownloader(options: HttpDownloaderOptions): HttpDownloader {
  const policy: DestinationPolicy = {
    allowPrivateAddresses: options.allowPrivateAddresses,
    allowedPrivateHosts: options.allowedPrivateHosts?.map((h) => h.toLowerCase()),
    lookup: options.lookup ?? systemLookup,
  };
  const connectTimeoutMs = options.connectTimeoutMs ?? Math.min(options.timeoutMs, 10_000);
  const maxRedirects = options.maxRedirects ?? 5;
  const retries = options.retries ?? 3;
  const queue = new PQueue({ concurrency: Math.max(1, options.concurrency) });
  const bucket =
    options.bytesPerSecond > 0
      ? createTokenBucket({
          bytesPerSecond: options.bytesPerSecond,
          clock: options.clock,
          timer: options.timer ?? systemTimer,
          ...(options.burstBytes === undefined ? {} : { burstBytes: options.burstBytes }),
        })
      : undefined;

  type Opened = { ok: true; res: http.IncomingMessage; url: URL } | { ok: false; reason: DownloadFailure };

  function request(url: URL, addresses: readonly ResolvedAddress[], headers: Record<string, string>, signal: AbortSignal): Promise<Opened> {
    return new Promise((resolve) => {
      let settled = false;
      let timedOut: 'connect' | 'response' | undefined;
      let timer: NodeJS.Timeout | undefined;
      const settle = (outcome: Opened) => {
        clearTimeout(timer);
        if (settled) {
          if (outcome.ok) outcome.res.destroy();
          return;
        }
        settled = true;
        resolve(outcome);
      };
      const transport = url.protocol === 'https:' ? https : http;
      const req = transport.request(url, { method: 'GET', headers, lookup: pinnedLookup(addresses), agent: false, signal });
      const arm = (phase: 'connect' | 'response', ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = phase;
          req.destroy(new Error(`${phase} time-out`));
        }, ms);
      };
      arm('connect', connectTimeoutMs);
      req.on('socket', (socket) => {
        const connected = () => arm('response', options.timeoutMs);
        if (!socket.connecting) connected();
        else socket.once('connect', connected);
      });
      req.on('error', (err) => {
        if (signal.aborted) settle({ ok: false, reason: aborted() });
        else if (timedOut === 'connect') {
          settle({ ok: false, reason: { type: 'timeout', phase: 'connect', message: `no connection to ${url.host} in ${connectTimeoutMs} ms` } });
        } else if (timedOut === 'response') {
          settle({ ok: false, reason: { type: 'timeout', phase: 'response', message: `no answer from ${url.host} in ${options.timeoutMs} ms` } });
        } else settle({ ok: false, reason: { type: 'network', message: `request to ${url.host} failed: ${describe(err)}` } });
      });
      req.on('response', (res) => {
        res.on('error', () => undefined); // the reader attaches its own handling
        settle({ ok: true, res, url });
      });
      req.end();
    });
  }

  async function openResponse(first: URL, extra: Record<string, string>, signal: AbortSignal): Promise<Opened> {
    let url = first;
    let redirects = 0;
    while (true) {
      if (signal.aborted) return { ok: false, reason: aborted() };
      const parsed = parseRemoteUrl(url);
      if (!parsed.ok) return { ok: false, reason: parsed.reason };
      let lookupTimer: NodeJS.Timeout | undefined;
      const destination = await Promise.race([
        resolveDestination(parsed.host, policy),
        new Promise<'timeout'>((resolve) => {
          lookupTimer = setTimeout(() => resolve('timeout'), connectTimeoutMs);
        }),
      ]);
      clearTimeout(lookupTimer);
      if (destination === 'timeout') {
        return { ok: false, reason: { type: 'timeout', phase: 'lookup', message: `no address for ${url.hostname} in time` } };
      }
      if (!destination.ok) return { ok: false, reason: destination.reason };
      const headers = { 'user-agent': options.userAgent, accept: '*/*', 'accept-encoding': 'identity', ...extra };
      const opened = await request(url, destination.addresses, headers, signal);
      if (!opened.ok) return opened;
      const { res } = opened;
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode ?? 0) && location !== undefined) {
        res.destroy();
        if (redirects >= maxRedirects) {
          return { ok: false, reason: { type: 'too-many-redirects', message: `more than ${maxRedirects} redirects`, limit: maxRedirects } };
        }
        const next = parseRemoteUrl(location, url);
        if (!next.ok) return { ok: false, reason: { type: 'bad-url', message: `redirect from ${url.href}: ${next.reason.message}` } };
        if (url.protocol === 'https:' && next.url.protocol === 'http:') {
          return { ok: false, reason: { type: 'bad-url', message: `redirect from ${url.href} downgrades to ${next.url.href}` } };
        }
        redirects++;
        url = next.url;
        continue;
      }
      return opened;
    }
  }

  /**
   * Passes the body through: idle time-out, byte counting, the bandwidth cap, the observer, the
   * size cap. Throws StopTransfer for a refusal; other throws are the connection's.
   */
  function meter(
    state: { position: number; idle: ReturnType<typeof idleWatch> },
    limits: { maxBytes: number; observer?: ChunkObserver; onBytes?: (n: number) => void; signal: AbortSignal; host: string },
  ) {
    return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      state.idle.touch();
      for await (const chunk of source) {
        state.idle.touch();
        options.onBytes?.(chunk.length, limits.host);
        limits.onBytes?.(chunk.length);
        if (state.position + chunk.length > limits.maxBytes) {
          throw new StopTransfer({ type: 'too-large', message: `more than ${limits.maxBytes} bytes`, limit: limits.maxBytes });
        }
        if (bucket !== undefined) {
          state.idle.pause();
          await bucket.take(chunk.length, limits.signal);
          state.idle.touch();
        }
        if (limits.observer !== undefined) {
          const verdict = limits.observer.update(chunk, state.position);
          if (!verdict.ok) throw new StopTransfer({ type: 'rejected', message: verdict.message });
        }
        state.position += chunk.length;
        yield chunk;
      }
      state.idle.stop();
    };
  }

  function failureOf(err: unknown, signal: AbortSignal, idleFired: boolean, diskError: NodeJS.ErrnoException | undefined, host: string): DownloadFailure {
    if (err instanceof StopTransfer) return err.reason;
    if (signal.aborted) return aborted();
    if (diskError !== undefined) return { type: 'disk', message: `cannot write: ${describe(diskError)}`, ...(diskError.code ? { code: diskError.code } : {}) };
    if (idleFired) return { type: 'timeout', phase: 'response', message: `${host} sent nothing for ${options.timeoutMs} ms` };
    return { type: 'network', message: `the transfer from ${host} broke off: ${describe(err)}` };
  }

  function linkSignal(signal: AbortSignal | undefined): { signal: AbortSignal; dispose: () => void } {
    const controller = new AbortController();
    if (signal === undefined) return { signal: controller.signal, dispose: () => undefined };
    if (signal.aborted) controller.abort(signal.reason);
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    return { signal: controller.signal, dispose: () => signal.removeEventListener('abort', onAbort) };
  }

  /**
   * Runs `work` when a slot is free. A cancel while waiting removes it from the queue; a cancel
   * once it runs is the work's own business (p-queue would otherwise settle the call at once while
   * the work still writes to disk).
   */
  async function inQueue<T>(signal: AbortSignal | undefined, work: () => Promise<T>, onAbort: () => T): Promise<T> {
    if (signal?.aborted) return onAbort();
    const whileQueued = new AbortController();
    let started = false;
    const cancel = () => {
      if (!started) whileQueued.abort();
    };
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await queue.add(
        () => {
          started = true;
          return work();
        },
        { signal: whileQueued.signal },
      );
    } catch (err) {
      if (whileQueued.signal.aborted) return onAbort();
      throw err;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  async function fetchDocumentNow(input: string | URL, request: FetchDocumentOptions, signal: AbortSignal): Promise<FetchDocumentResult> {
    const parsed = parseRemoteUrl(input);
    if (!parsed.ok) return { ok: false, reason: parsed.reason };
    let failures = 0;
    while (true) {
      const opened = await openResponse(parsed.url, {}, signal);
      let outcome: FetchDocumentResult;
      if (!opened.ok) outcome = opened;
      else outcome = await readDocument(opened.res, opened.url, request, signal);
      if (outcome.ok || !isRetryable(outcome.reason) || ++failures > DOCUMENT_RETRIES) return outcome;
    }
  }

  async function readDocument(res: http.IncomingMessage, url: URL, request: FetchDocumentOptions, signal: AbortSignal): Promise<FetchDocumentResult> {
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      res.destroy();
      const retryAfter = res.headers['retry-after'];
      return {
        ok: false,
        reason: { type: 'http-error', status, message: `${url.href} answered ${status}`, ...(retryAfter === undefined ? {} : { retryAfter }) },
      };
    }
    const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== '') {
      res.destroy();
      return { ok: false, reason: { type: 'network', message: `${url.href} answered with Content-Encoding ${encoding.slice(0, 40)}, not asked for` } };
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > request.maxBytes) {
      res.destroy();
      return { ok: false, reason: { type: 'too-large', message: `${url.href} is larger than ${request.maxBytes} bytes`, limit: request.maxBytes } };
    }
    const chunks: Buffer[] = [];
    const idle = idleWatch(options.timeoutMs, () => res.destroy(new Error('idle')));
    const state = { position: 0, idle };
    try {
      for await (const chunk of meter(state, { maxBytes: request.maxBytes, onBytes: request.onBytes, signal, host: url.host })(res)) {
        chunks.push(chunk);
      }
      if (!res.complete) throw new Error('the connection closed before the body was complete');
      return { ok: true, body: Buffer.concat(chunks, state.position), url: url.href, headers: flattenHeaders(res.headers) };
    } catch (err) {
      res.destroy();
      return { ok: false, reason: failureOf(err, signal, idle.fired(), undefined, url.host) };
    } finally {
      idle.stop();
    }
  }

  async function downloadFileNow(input: string | URL, path: string, request: DownloadFileOptions, signal: AbortSignal): Promise<DownloadFileResult> {
    try {
      return await downloadFileAttempts(input, path, request, signal);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (typeof code !== 'string') throw err;
      return { ok: false, reason: { type: 'disk', message: `${path}: ${describe(err)}`, code }, attempts: 0, requests: [] };
    }
  }

  async function downloadFileAttempts(input: string | URL, path: string, request: DownloadFileOptions, signal: AbortSignal): Promise<DownloadFileResult> {
    const requests: RequestRecord[] = [];
    let attempts = 0;
    let failuresInARow = 0;
    const parsed = parseRemoteUrl(input);
    if (!parsed.ok) return { ok: false, reason: parsed.reason, attempts, requests };
    let validator: string | undefined;
    let initialSize: number | undefined;
    const done = (reason: DownloadFailure): DownloadFileResult => ({ ok: false, reason, attempts, requests });

    while (true) {
      if (signal.aborted) return done(aborted());
      attempts++;
      const from = await sizeOf(path);
      initialSize ??= from;
      if (from > request.maxBytes) return done({ type: 'too-large', message: `the partial file is already over ${request.maxBytes} bytes`, limit: request.maxBytes });
      const range = from > 0 ? `bytes=${from}-` : undefined;
      const headers: Record<string, string> = {};
      if (range !== undefined) {
        headers.range = range;
        if (validator !== undefined) headers['if-range'] = validator;
      }
      const opened = await openResponse(parsed.url, headers, signal);
      if (!opened.ok) {
        requests.push({ ...(range ? { range } : {}), outcome: opened.reason.type });
        if (isRetryable(opened.reason) && ++failuresInARow <= retries) continue;
        return done(opened.reason);
      }
      const { res, url } = opened;
      const status = res.statusCode ?? 0;
      const contentRange = res.headers['content-range'];
      const record = (outcome: string) => requests.push({ ...(range ? { range } : {}), status, ...(contentRange ? { contentRange } : {}), outcome });
      const decision = decideResume({
        requestedFrom: from,
        status,
        ...(contentRange === undefined ? {} : { contentRange }),
        ...(res.headers['content-length'] === undefined ? {} : { contentLength: res.headers['content-length'] }),
      });
      if (decision.action === 'complete') {
        res.destroy();
        record('complete');
        if (request.observer !== undefined) {
          // the observer sees every byte, also of a file that was already whole
          request.observer.restart();
          const whole = await feedPrefix(path, decision.size, request.observer);
          if (!whole.ok) return done({ type: 'rejected', message: whole.message });
        }
        return { ok: true, size: decision.size, resumedFrom: initialSize, attempts, requests };
      }
      if (decision.action === 'fail') {
        res.destroy();
        record('http-error');
        const retryAfter = res.headers['retry-after'];
        return done({ type: 'http-error', status, message: `${url.href} answered ${status}`, ...(retryAfter === undefined ? {} : { retryAfter }) });
      }
      if (decision.action === 'restart') {
        res.destroy();
        record(`restart: ${decision.message}`);
        await truncate(path, 0).catch(() => undefined);
        validator = undefined;
        if (++failuresInARow <= retries) continue;
        return done({ type: 'network', message: `${url.href}: ${decision.message}` });
      }
      const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      if (encoding !== 'identity' && encoding !== '') {
        res.destroy();
        record('bad-encoding');
        return done({ type: 'network', message: `${url.href} answered with Content-Encoding ${encoding.slice(0, 40)}, not asked for` });
      }
      const end = decision.total ?? decision.expectedEnd;
      if (end !== undefined && end > request.maxBytes) {
        res.destroy();
        record('too-large');
        return done({ type: 'too-large', message: `${url.href} is ${end} bytes, over ${request.maxBytes}`, limit: request.maxBytes });
      }
      const etag = res.headers.etag;
      validator = etag !== undefined && !etag.startsWith('W/') ? etag : res.headers['last-modified'];

      const start = decision.from;
      if (request.observer !== undefined) {
        request.observer.restart();
        if (start > 0) {
          const prefix = await feedPrefix(path, start, request.observer);
          if (!prefix.ok) {
            res.destroy();
            record('rejected');
            return done({ type: 'rejected', message: prefix.message });
          }
        }
      }
      const idle = idleWatch(options.timeoutMs, () => res.destroy(new Error('idle')));
      const state = { position: start, idle };
      const written = await writeBody(res, path, start, meter(state, { maxBytes: request.maxBytes, observer: request.observer, onBytes: request.onBytes, signal, host: url.host }));
      idle.stop();
      if (!written.ok) {
        const reason = failureOf(written.error, signal, idle.fired(), written.diskError, url.host);
        record(`${reason.type} after ${state.position - start} bytes`);
        if (state.position > start) failuresInARow = 0;
        if (isRetryable(reason) && ++failuresInARow <= retries) continue;
        return done(reason);
      }
      record(`wrote ${state.position - start} bytes`);
      failuresInARow = 0;
      if (decision.total !== undefined && state.position < decision.total) continue; // a short 206: ask for the rest
      return { ok: true, size: state.position, resumedFrom: initialSize, attempts, requests };
    }
  }

  return {
    bucket,
    pending: () => ({ queued: queue.size, running: queue.pending }),
    fetchDocument(url, request) {
      const linked = linkSignal(request.signal);
      return inQueue(request.signal, () => fetchDocumentNow(url, request, linked.signal), () => ({ ok: false, reason: aborted() }) as const).finally(
        linked.dispose,
      );
    },
    downloadFile(url, path, request) {
      const linked = linkSignal(request.signal);
      return inQueue(
        request.signal,
        () => downloadFileNow(url, path, request, linked.signal),
        () => ({ ok: false, reason: aborted(), attempts: 0, requests: [] }) as const,
      ).finally(linked.dispose);
    },
  };
}
