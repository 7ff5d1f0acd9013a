import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of the S3 server that holds (never answers) the requests `hold` picks:
 * a test kills the instance while its request to the bucket hangs there. Headers pass unchanged
 * (the AWS signature covers Host).
 */
export async function startStallingProxy(target: string, hold: (req: http.IncomingMessage) => boolean) {
  const upstream = new URL(target);
  let holding = true;
  let onHeld: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  const server = http.createServer((req, res) => {
    if (holding && hold(req)) {
      onHeld();
      return;
    }
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** resolves when the first request is held */
    held,
    /** from now on every request passes */
    release() {
      holding = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
