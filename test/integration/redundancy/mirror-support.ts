import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** How one request is answered (decided per request by the test). */
export type Behaviour =
  | 'normal'
  /** headers for the whole answer, half the body, then the connection is closed (FIN) */
  | 'cut'
  /** half the body, then nothing (the connection stays open until the server closes) */
  | 'stall'
  /** a Range request is answered 200 with the whole file */
  | 'ignore-range'
  /** a Range request is answered 206 from byte 0 */
  | 'wrong-range';

export interface ServedRequest {
  readonly name: string;
  readonly host: string;
  readonly range?: string;
  readonly status: number;
  /** body bytes written */
  bytes: number;
  readonly behaviour: Behaviour;
}

export interface TestFileServer {
  readonly base: string;
  readonly port: number;
  readonly requests: ServedRequest[];
  /** resolves the first time a 'stall' answer has sent its half */
  readonly stalled: Promise<void>;
  close(): Promise<void>;
}

export interface TestFileServerOptions {
  /** URL path prefix (ending in /) under which `dir`'s files are served */
  readonly prefix: string;
  readonly dir: string;
  /** change a file's bytes before serving (corrupt a byte, rewrite a playlist) */
  readonly transform?: (name: string, bytes: Buffer) => Buffer;
  /** `count`: how many requests for this name came before this one */
  readonly behaviour?: (request: { name: string; range?: string; count: number }) => Behaviour;
  /**
   * 'cut' closes the connection once this resolves (given the number of bytes sent): a test waits
   * until the client has taken the bytes in, because a reader destroyed by a premature close drops
   * what it had buffered and the test could not know what reached the file.
   */
  readonly cutWhen?: (sent: number) => Promise<void>;
}

/**
 * A tiny static file server on 127.0.0.1 with single-range support (206, 416) and injectable faults,
 * recording every request. Files are read per request, so a test may change them between requests.
 */
export async function startTestFileServer(options: TestFileServerOptions): Promise<TestFileServer> {
  const requests: ServedRequest[] = [];
  const counts = new Map<string, number>();
  let onStall: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => {
    onStall = resolve;
  });

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = decodeURIComponent(url.pathname);
      const name = path.startsWith(options.prefix) ? path.slice(options.prefix.length) : '';
      const range = req.headers.range;
      const count = counts.get(name) ?? 0;
      counts.set(name, count + 1);
      const behaviour = options.behaviour?.({ name, ...(range ? { range } : {}), count }) ?? 'normal';
      const record = (status: number): ServedRequest => {
        const entry: ServedRequest = { name, host: req.headers.host ?? '', ...(range ? { range } : {}), status, bytes: 0, behaviour };
        requests.push(entry);
        return entry;
      };
      if (name === '' || name.includes('/') || name.startsWith('.')) {
        record(404);
        res.writeHead(404).end();
        return;
      }
      let bytes: Buffer;
      try {
        bytes = await readFile(join(options.dir, name));
      } catch {
        record(404);
        res.writeHead(404).end();
        return;
      }
      if (options.transform) bytes = options.transform(name, bytes);
      const size = bytes.length;
      let start = 0;
      let end = size - 1;
      let status = 200;
      const match = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
      if (match && behaviour !== 'ignore-range') {
        start = Number(match[1]);
        end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
        if (start >= size) {
          record(416);
          res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
          return;
        }
        status = 206;
        if (behaviour === 'wrong-range') {
          start = 0;
          end = size - 1;
        }
      }
      const body = bytes.subarray(start, end + 1);
      const entry = record(status);
      const headers: Record<string, string> = {
        'content-length': String(body.length),
        'accept-ranges': 'bytes',
        etag: `"${size}"`,
        ...(status === 206 ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
      };
      res.writeHead(status, headers);
      if (behaviour === 'cut' || behaviour === 'stall') {
        const half = body.subarray(0, Math.floor(body.length / 2));
        entry.bytes = half.length;
        res.write(half, () => {
          if (behaviour === 'stall') {
            onStall();
            return;
          }
          // FIN after the data (a destroy() may send RST, which can drop bytes still in flight)
          void (options.cutWhen?.(half.length) ?? Promise.resolve()).then(() => req.socket.end());
        });
        return;
      }
      entry.bytes = body.length;
      res.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    requests,
    stalled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
