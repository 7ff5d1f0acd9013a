import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { MetricsEndpoint } from './metrics-endpoint.js';

/**
 * A listener of its own for `/metrics` (config `metrics.listen`), so the exposition can stay on
 * a private interface while the instance is public. Answers GET /metrics, 404 otherwise.
 */
export function createMetricsServer(options: { endpoint: MetricsEndpoint; hostname: string; port: number }) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    /** the port actually listened on (port may be 0) */
    get port(): number {
      const address = server?.address();
      return typeof address === 'object' && address ? address.port : options.port;
    },
    async start(): Promise<void> {
      const srv = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
          res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not Found\n');
          return;
        }
        options.endpoint.scrape(req.headers.authorization).then(
          (answer) => {
            res.writeHead(answer.status, { 'Content-Type': answer.contentType, ...answer.headers });
            res.end(req.method === 'HEAD' ? undefined : answer.body);
          },
          () => res.writeHead(500).end(),
        );
      });
      srv.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(options.port, options.hostname, () => resolve());
      });
      server = srv;
    },
    async stop(): Promise<void> {
      const srv = server;
      if (!srv) return;
      server = undefined;
      const closed = new Promise<void>((resolve) => srv.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export type MetricsServer = ReturnType<typeof createMetricsServer>;
