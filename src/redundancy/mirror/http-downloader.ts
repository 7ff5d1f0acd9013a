import { open, stat, truncate } from 'node:fs/promises';
import PQueue from 'p-queue';
import type { Clock } from '../../lib/clock.js';
import { createPinnedRequester, flattenHeaders, parseRemoteUrl, systemLookup, type LookupAddresses, type PinnedResponse } from '../../net/index.js';
import { openBatchedFileWriter } from './batched-file-writer.js';
import { memorySink, transferBody, type ChunkObserver } from './body-transfer.js';
import {
  aborted,
  declaredTooLarge,
  describeError,
  httpErrorOf,
  isRetryable,
  rangeValidatorOf,
  StopTransfer,
  unaskedEncoding,
  type DownloadFailure,
} from './download-failure.js';
import { decideResume } from './range-resume.js';
import { createTokenBucket, systemTimer, type Timer, type TokenBucket } from './token-bucket.js';

export type { DownloadFailure } from './download-failure.js';
export type { ChunkObserver } from './body-transfer.js';

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
   * Time spent waiting for the bandwidth cap (or for our disk) does not count.
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
  /** closes the idle kept-alive connections (they never keep the process alive; this frees them now) */
  close(): void;
}

const DOCUMENT_RETRIES = 2;

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

/**
 * Builds the downloader the mirror uses. Every request goes through the SSRF-pinned requester
 * (pinned-request.ts: vetted addresses only, on every redirect; kept-alive connections pooled per
 * vetted address set). Requests share one queue (`concurrency`) and one token bucket
 * (`bytesPerSecond`); bodies stream through transferBody (body-transfer.ts) into memory or into a
 * batched file writer; every body byte is counted through `onBytes`.
 */
export function createHttpDownloader(options: HttpDownloaderOptions): HttpDownloader {
  const connectTimeoutMs = options.connectTimeoutMs ?? Math.min(options.timeoutMs, 10_000);
  const retries = options.retries ?? 3;
  const concurrency = Math.max(1, options.concurrency);
  const queue = new PQueue({ concurrency });
  const requester = createPinnedRequester({
    policy: {
      allowPrivateAddresses: options.allowPrivateAddresses,
      allowedPrivateHosts: options.allowedPrivateHosts?.map((h) => h.toLowerCase()),
      lookup: options.lookup ?? systemLookup,
    },
    connectTimeoutMs,
    responseTimeoutMs: options.timeoutMs,
    maxRedirects: options.maxRedirects ?? 5,
    pool: { maxFreeSockets: concurrency },
  });
  /** GET with the identity coding: the bytes are the file's */
  const get = (url: URL, extra: Readonly<Record<string, string>>, signal: AbortSignal) =>
    requester.open(url, { signal, headers: () => ({ 'user-agent': options.userAgent, accept: '*/*', 'accept-encoding': 'identity', ...extra }) });
  const timer = options.timer ?? systemTimer;
  const bucket =
    options.bytesPerSecond > 0
      ? createTokenBucket({
          bytesPerSecond: options.bytesPerSecond,
          clock: options.clock,
          timer,
          ...(options.burstBytes === undefined ? {} : { burstBytes: options.burstBytes }),
        })
      : undefined;
  const throttle = bucket === undefined ? undefined : { bucket, timer };

  /** the byte counters of one call: the downloader's (per host) and the call's own */
  const counter = (host: string, own: ((n: number) => void) | undefined): ((n: number) => void) => {
    const all = options.onBytes;
    if (all === undefined) return own ?? (() => undefined);
    if (own === undefined) return (n) => all(n, host);
    return (n) => {
      all(n, host);
      own(n);
    };
  };

  function failureOf(error: unknown, idle: boolean, signal: AbortSignal, diskError: NodeJS.ErrnoException | undefined, host: string): DownloadFailure {
    if (error instanceof StopTransfer) return error.reason;
    if (signal.aborted) return aborted();
    if (diskError !== undefined) return { type: 'disk', message: `cannot write: ${describeError(diskError)}`, ...(diskError.code ? { code: diskError.code } : {}) };
    if (idle) return { type: 'timeout', phase: 'response', message: `${host} sent nothing for ${options.timeoutMs} ms` };
    return { type: 'network', message: `the transfer from ${host} broke off: ${describeError(error)}` };
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
      const opened = await get(parsed.url, {}, signal);
      let outcome: FetchDocumentResult;
      if (!opened.ok) outcome = opened;
      else outcome = await readDocument(opened.res, opened.url, request, signal);
      if (outcome.ok || !isRetryable(outcome.reason) || ++failures > DOCUMENT_RETRIES) return outcome;
    }
  }

  async function readDocument(res: PinnedResponse, url: URL, request: FetchDocumentOptions, signal: AbortSignal): Promise<FetchDocumentResult> {
    const status = res.statusCode ?? 0;
    const refusal =
      status < 200 || status > 299 ? httpErrorOf(status, url.href, res.headers) : (unaskedEncoding(url.href, res.headers) ?? declaredTooLarge(url.href, res.headers, request.maxBytes));
    if (refusal !== undefined) {
      res.destroy();
      return { ok: false, reason: refusal };
    }
    const sink = memorySink();
    const end = await transferBody(res, sink, { start: 0, maxBytes: request.maxBytes, onBytes: counter(url.host, request.onBytes), ...(throttle ? { throttle } : {}), signal, idleMs: options.timeoutMs });
    if (!end.ok) return { ok: false, reason: failureOf(end.error, end.idle, signal, undefined, url.host) };
    return { ok: true, body: sink.body(), url: url.href, headers: flattenHeaders(res.headers) };
  }

  async function downloadFileNow(input: string | URL, path: string, request: DownloadFileOptions, signal: AbortSignal): Promise<DownloadFileResult> {
    try {
      return await downloadFileAttempts(input, path, request, signal);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (typeof code !== 'string') throw err;
      return { ok: false, reason: { type: 'disk', message: `${path}: ${describeError(err)}`, code }, attempts: 0, requests: [] };
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
      const opened = await get(parsed.url, headers, signal);
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
        return done(httpErrorOf(status, url.href, res.headers));
      }
      if (decision.action === 'restart') {
        res.destroy();
        record(`restart: ${decision.message}`);
        await truncate(path, 0).catch(() => undefined);
        validator = undefined;
        if (++failuresInARow <= retries) continue;
        return done({ type: 'network', message: `${url.href}: ${decision.message}` });
      }
      const badEncoding = unaskedEncoding(url.href, res.headers);
      if (badEncoding !== undefined) {
        res.destroy();
        record('bad-encoding');
        return done(badEncoding);
      }
      const end = decision.total ?? decision.expectedEnd;
      if (end !== undefined && end > request.maxBytes) {
        res.destroy();
        record('too-large');
        return done({ type: 'too-large', message: `${url.href} is ${end} bytes, over ${request.maxBytes}`, limit: request.maxBytes });
      }
      validator = rangeValidatorOf(res.headers);

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
      let writer;
      try {
        writer = await openBatchedFileWriter(path, start);
      } catch (err) {
        res.destroy();
        const reason = failureOf(err, false, signal, err as NodeJS.ErrnoException, url.host);
        record(`${reason.type} after 0 bytes`);
        return done(reason);
      }
      const transfer = await transferBody(res, writer, {
        start,
        maxBytes: request.maxBytes,
        ...(request.observer === undefined ? {} : { observer: request.observer }),
        onBytes: counter(url.host, request.onBytes),
        ...(throttle ? { throttle } : {}),
        signal,
        idleMs: options.timeoutMs,
      });
      // what was received is written, also after a failure: the next attempt continues from it
      const diskError = await writer.close();
      const position = transfer.position;
      if (!transfer.ok || diskError !== undefined) {
        const reason = transfer.ok ? failureOf(diskError, false, signal, diskError, url.host) : failureOf(transfer.error, transfer.idle, signal, diskError, url.host);
        record(`${reason.type} after ${position - start} bytes`);
        if (position > start) failuresInARow = 0;
        if (isRetryable(reason) && ++failuresInARow <= retries) continue;
        return done(reason);
      }
      record(`wrote ${position - start} bytes`);
      failuresInARow = 0;
      if (decision.total !== undefined && position < decision.total) continue; // a short 206: ask for the rest
      return { ok: true, size: position, resumedFrom: initialSize, attempts, requests };
    }
  }

  return {
    bucket,
    pending: () => ({ queued: queue.size, running: queue.pending }),
    close: () => requester.close(),
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
