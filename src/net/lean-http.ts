import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { ResolvedAddress } from './dns-lookup.js';
import { pinKey } from './pinned-agent.js';

/**
 * The part of an answer a body reader uses; node's IncomingMessage has the same shape, so both
 * transports of the requester give one kind of answer.
 */
export interface PinnedResponse {
  readonly statusCode?: number | undefined;
  /** lower-case names; repeated headers joined with ", " (set-cookie: an array) */
  readonly headers: IncomingHttpHeaders;
  /** true once the whole body arrived */
  readonly complete: boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'end' | 'close', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  off(event: 'data', listener: (chunk: Buffer) => void): this;
  off(event: 'end' | 'close', listener: () => void): this;
  off(event: 'error', listener: (err: Error) => void): this;
  pause(): this;
  resume(): this;
  destroy(error?: Error): this;
}

const MAX_HEAD_BYTES = 64 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');

interface Head {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly keepAlive: boolean;
}

/** Status line and header fields of one answer head (without the blank line); undefined when malformed. */
export function parseResponseHead(text: string): Head | undefined {
  const lines = text.split('\r\n');
  const match = /^HTTP\/1\.([01]) ([1-9][0-9]{2})(?: .*)?$/.exec(lines[0] ?? '');
  if (!match) return undefined;
  const headers: Record<string, string | string[]> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) return undefined;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers[name];
    if (previous === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(previous)) previous.push(value);
    else if (name === 'content-length') {
      if (previous !== value) return undefined; // two different lengths: refuse (smuggling)
    } else headers[name] = `${previous}, ${value}`;
  }
  const connection = String(headers.connection ?? '').toLowerCase();
  const keepAlive = match[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
  return { status: Number(match[2]), headers, keepAlive };
}

type Framing = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

function framingOf(head: Head): Framing | undefined {
  if (head.status === 204 || head.status === 304 || head.status < 200) return { kind: 'none' };
  const te = head.headers['transfer-encoding'];
  if (te !== undefined) {
    const codings = String(te).toLowerCase().split(',').map((c) => c.trim());
    return codings[codings.length - 1] === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  }
  const cl = head.headers['content-length'];
  if (cl !== undefined) {
    if (typeof cl !== 'string' || !/^\d{1,15}$/.test(cl)) return undefined;
    return { kind: 'length', left: Number(cl) };
  }
  return { kind: 'close' };
}

/**
 * An answer whose body is read straight off the socket: body bytes are slices of the socket's own
 * chunks (node's HTTP parser copies every body byte once more). Starts flowing when a `data`
 * listener is added, like IncomingMessage.
 */
class LeanResponse extends EventEmitter implements PinnedResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  complete = false;
  private destroyed = false;
  private paused = true;
  private started = false;
  private pending: Buffer | undefined;
  private sourceEnded = false;
  // chunked decoding state
  private chunkLeft = 0;
  private chunkState: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  private line = '';

  constructor(
    head: Head,
    private framing: Framing,
    private readonly socket: net.Socket,
    private readonly onDone: (reusable: boolean) => void,
    leftover: Buffer,
  ) {
    super();
    this.statusCode = head.status;
    // set-cookie is an array, every other field one string, as IncomingHttpHeaders types them
    this.headers = head.headers as IncomingHttpHeaders;
    this.pending = leftover.length > 0 ? leftover : undefined;
    this.on('newListener', (event) => {
      if (event === 'data' && !this.started) {
        this.started = true;
        queueMicrotask(() => this.resume());
      }
    });
  }

  pause(): this {
    this.paused = true;
    this.socket.pause();
    return this;
  }

  resume(): this {
    if (this.destroyed || this.complete) return this;
    this.paused = false;
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) this.feed(pending);
    if (this.paused || this.destroyed || this.complete) return this;
    const framing = this.framing;
    if (framing.kind === 'none' || (framing.kind === 'length' && framing.left === 0)) this.finish();
    else if (this.sourceEnded && this.pending === undefined) this.finish(false);
    else this.socket.resume();
    return this;
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.socket.destroy();
    this.onDone(false);
    if (error !== undefined) this.emit('error', error);
    this.emit('close');
    return this;
  }

  /** socket data while this answer is current */
  feed(data: Buffer): void {
    if (this.destroyed || this.complete) return;
    if (this.paused) {
      this.pending = this.pending === undefined ? data : Buffer.concat([this.pending, data]);
      this.socket.pause();
      return;
    }
    const framing = this.framing;
    if (framing.kind === 'close') {
      this.emit('data', data);
      return;
    }
    if (framing.kind === 'length') {
      if (data.length <= framing.left) {
        framing.left -= data.length;
        this.emit('data', data);
        if (framing.left === 0) this.finish();
        return;
      }
      // bytes after the body: a server that sends more than it said; the connection is not reused
      const body = data.subarray(0, framing.left);
      framing.left = 0;
      this.emit('data', body);
      this.finish(false);
      return;
    }
    if (framing.kind === 'chunked') this.feedChunked(data);
  }

  private feedChunked(data: Buffer): void {
    let at = 0;
    while (at < data.length && !this.destroyed && !this.complete) {
      if (this.paused) {
        this.pending = data.subarray(at);
        this.socket.pause();
        return;
      }
      if (this.chunkState === 'data') {
        const take = Math.min(this.chunkLeft, data.length - at);
        this.chunkLeft -= take;
        const slice = data.subarray(at, at + take);
        at += take;
        if (this.chunkLeft === 0) this.chunkState = 'data-crlf';
        this.emit('data', slice);
        continue;
      }
      // a line: chunk size, the CRLF after chunk data, or a trailer line
      const eol = data.indexOf(10, at);
      const part = data.toString('latin1', at, eol < 0 ? data.length : eol + 1);
      at = eol < 0 ? data.length : eol + 1;
      this.line += part;
      if (this.line.length > 4096) return void this.destroy(new Error('a chunked body line is too long'));
      if (eol < 0) return;
      const line = this.line.replace(/\r?\n$/, '');
      this.line = '';
      if (this.chunkState === 'data-crlf') {
        if (line !== '') return void this.destroy(new Error('bad chunked body: no CRLF after a chunk'));
        this.chunkState = 'size';
      } else if (this.chunkState === 'size') {
        const size = /^([0-9a-fA-F]{1,12})(?:;.*)?$/.exec(line.trim());
        if (!size) return void this.destroy(new Error('bad chunked body: unreadable chunk size'));
        this.chunkLeft = parseInt(size[1]!, 16);
        this.chunkState = this.chunkLeft === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        this.finish(at === data.length);
        return;
      }
    }
  }

  /** the connection ended: the end of a close-delimited body, else a broken one */
  ended(): void {
    if (this.complete || this.destroyed) return;
    if (this.framing.kind !== 'close') return void this.destroy();
    this.sourceEnded = true;
    if (!this.paused && this.pending === undefined) this.finish(false);
  }

  private finish(reusable = true): void {
    if (this.complete || this.destroyed) return;
    this.complete = true;
    this.onDone(reusable && this.framing.kind !== 'close');
    this.emit('end');
  }
}

/** What the socket's events go to: the request waiting for its head, then its answer. */
interface Handler {
  data(chunk: Buffer): void;
  end(): void;
  error(err: Error): void;
}

interface Conn {
  readonly socket: net.Socket;
  handler: Handler | undefined;
}

export type LeanAttempt =
  | { readonly ok: true; readonly res: PinnedResponse }
  | {
      readonly ok: false;
      readonly error: Error;
      readonly phase: 'connect' | 'response' | 'aborted';
      readonly stale: boolean;
      /** the socket never connected (another vetted address may) */
      readonly unconnected: boolean;
    };

export interface LeanRequest {
  readonly url: URL;
  readonly addresses: readonly ResolvedAddress[];
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly signal: AbortSignal;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs?: number;
  /** pool key (protocol, host, port and vetted address set); undefined: a connection of its own, closed after */
  readonly poolKey?: string;
}

export interface LeanTransport {
  request(input: LeanRequest): Promise<LeanAttempt>;
  destroy(): void;
}

/**
 * The pool of a request: scheme, host, port *and* vetted address set. A kept-alive connection is
 * reused only by a request whose own vetting allowed the very addresses it was connected to.
 */
export function poolKeyOf(url: URL, addresses: readonly ResolvedAddress[]): string {
  return `${url.protocol}//${url.host}|${pinKey(addresses)}`;
}

function connectTo(url: URL, address: ResolvedAddress): net.Socket {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  if (url.protocol !== 'https:') return net.connect({ host: address.address, port, family: address.family, noDelay: true });
  const name = url.hostname.startsWith('[') || net.isIP(url.hostname) !== 0 ? undefined : url.hostname;
  return tls.connect({ host: address.address, port, ...(name === undefined ? {} : { servername: name }), ALPNProtocols: ['http/1.1'] });
}

/**
 * HTTP/1.1 over sockets connected straight to vetted addresses (no name is ever resolved here),
 * kept alive in pools keyed by `poolKey`: a lean transport for downloads, whose answers hand the
 * socket's own chunks to the reader. Requests with a body are sent with Content-Length.
 */
export function createLeanTransport(options: { readonly maxFreeSockets: number; readonly idleMs: number }): LeanTransport {
  const idle = new Map<string, Conn[]>();
  const all = new Set<Conn>();

  function open(url: URL, addresses: readonly ResolvedAddress[]): Conn {
    const socket = connectTo(url, addresses[0]!);
    const conn: Conn = { socket, handler: undefined };
    all.add(conn);
    socket.on('data', (chunk: Buffer) => {
      if (conn.handler !== undefined) conn.handler.data(chunk);
      else socket.destroy(); // nothing was asked
    });
    socket.on('end', () => {
      if (conn.handler !== undefined) conn.handler.end();
      else socket.destroy();
    });
    socket.on('error', (err) => conn.handler?.error(err));
    // only armed while idle in the pool (give)
    socket.on('timeout', () => {
      if (conn.handler === undefined) socket.destroy();
    });
    socket.on('close', () => {
      all.delete(conn);
      unpool(conn);
      conn.handler?.error(new Error('the connection closed'));
    });
    return conn;
  }

  function unpool(conn: Conn): void {
    for (const [key, list] of idle) {
      const at = list.indexOf(conn);
      if (at >= 0) {
        list.splice(at, 1);
        if (list.length === 0) idle.delete(key);
      }
    }
  }

  function take(key: string): Conn | undefined {
    const list = idle.get(key);
    while (list !== undefined && list.length > 0) {
      const conn = list.pop()!;
      if (list.length === 0) idle.delete(key);
      conn.socket.setTimeout(0);
      if (!conn.socket.destroyed && conn.socket.readyState === 'open') return conn;
      conn.socket.destroy();
    }
    return undefined;
  }

  function give(key: string, conn: Conn): void {
    conn.handler = undefined;
    const list = idle.get(key) ?? [];
    if (list.length >= options.maxFreeSockets || conn.socket.destroyed) {
      conn.socket.destroy();
      return;
    }
    list.push(conn);
    idle.set(key, list);
    conn.socket.resume(); // a close or stray byte from the server is noticed while idle
    conn.socket.setTimeout(options.idleMs);
    conn.socket.unref();
  }

  function request(input: LeanRequest): Promise<LeanAttempt> {
    const { url, signal } = input;
    return new Promise((resolve) => {
      const pooled = input.poolKey === undefined ? undefined : take(input.poolKey);
      const reused = pooled !== undefined;
      const conn = pooled ?? open(url, input.addresses);
      conn.socket.ref();
      let settled = false;
      let received = false;
      let connected = reused;
      let timer: NodeJS.Timeout | undefined;
      let response: LeanResponse | undefined;
      const fail = (error: Error, phase: 'connect' | 'response' | 'aborted') => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        conn.handler = undefined;
        conn.socket.destroy();
        if (settled) return;
        settled = true;
        resolve({ ok: false, error, phase, stale: reused && !received, unconnected: !connected });
      };
      const onAbort = () => {
        if (response !== undefined) response.destroy(new Error('aborted'));
        else fail(new Error('aborted'), 'aborted');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) return void onAbort();

      const arm = (phase: 'connect' | 'response', ms: number | undefined) => {
        clearTimeout(timer);
        if (ms !== undefined) timer = setTimeout(() => fail(new Error(`${phase} time-out`), phase), ms);
      };
      let head: Buffer = Buffer.alloc(0);
      conn.handler = {
        data(chunk) {
          received = true;
          head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
          while (true) {
            const end = head.indexOf(CRLFCRLF);
            if (end < 0) {
              if (head.length > MAX_HEAD_BYTES) fail(new Error('the answer head is too large'), 'response');
              return;
            }
            const parsed = parseResponseHead(head.toString('latin1', 0, end));
            const rest = head.subarray(end + 4);
            if (parsed === undefined) return void fail(new Error('unreadable answer head'), 'response');
            if (parsed.status < 200) {
              head = rest; // an interim answer (100, 103): the real one follows
              continue;
            }
            const framing = framingOf(parsed);
            if (framing === undefined) return void fail(new Error('unreadable Content-Length'), 'response');
            clearTimeout(timer);
            settled = true;
            conn.socket.pause();
            response = new LeanResponse(
              parsed,
              framing,
              conn.socket,
              (reusable) => {
                signal.removeEventListener('abort', onAbort);
                if (reusable && parsed.keepAlive && input.poolKey !== undefined && !conn.socket.destroyed) give(input.poolKey, conn);
                else {
                  conn.handler = undefined;
                  conn.socket.destroy();
                }
              },
              rest,
            );
            const res = response;
            // an abort or a broken connection after the caller stopped reading the body must not
            // become an uncaught exception (it took the process down); a reader's own listener still gets it
            res.on('error', () => {});
            conn.handler = {
              data: (more) => res.feed(more),
              end: () => res.ended(),
              error: (err) => {
                if (!res.complete) res.destroy(err);
              },
            };
            resolve({ ok: true, res });
            return;
          }
        },
        end() {
          fail(new Error('the connection closed before an answer'), 'response');
        },
        error(err) {
          fail(err, 'response');
        },
      };

      const lines = [`${input.method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
      for (const [name, value] of Object.entries(input.headers)) {
        if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) return void fail(new Error(`header ${name} holds a line break`), 'response');
        lines.push(`${name}: ${value}`);
      }
      if (input.body !== undefined) lines.push(`content-length: ${input.body.length}`);
      const requestHead = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
      const send = () => {
        connected = true;
        arm('response', input.responseTimeoutMs);
        conn.socket.write(input.body === undefined ? requestHead : Buffer.concat([requestHead, input.body]));
        conn.socket.resume();
      };
      if (reused) send();
      else {
        arm('connect', input.connectTimeoutMs);
        conn.socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', send);
      }
    });
  }

  return {
    request,
    destroy() {
      for (const conn of all) conn.socket.destroy();
      idle.clear();
    },
  };
}
