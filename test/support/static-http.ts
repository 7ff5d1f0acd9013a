import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A request to 127.0.0.1:`port` with node's http client: unlike fetch(), the path is sent exactly as
 * written (no `..` normalisation) and the whole body is kept. `agent: false` for a connection of its own.
 */
export function rawRequest(port: number, requestPath: string, options: { method?: string; headers?: Record<string, string>; agent?: false } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: requestPath, method: options.method ?? 'GET', headers: options.headers, ...(options.agent === false ? { agent: false } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A server on 127.0.0.1 (a port of the system's) answering with the static fast handler; what it does not take gets 418 `not the fast handler`. */
export async function listenFastStatic(handler: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (handler(req, res)) return;
    res.writeHead(418);
    res.end('not the fast handler');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
