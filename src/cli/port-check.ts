import { createServer } from 'node:net';

export type PortCheck = { ok: true } | { ok: false; code: string; line: string };

/**
 * Can we listen on hostname:port? Checked before anything is created (database, root user,
 * storage), so that a port in use stops start-up with one clear line and changes nothing.
 */
export function checkPortFree(hostname: string, port: number): Promise<PortCheck> {
  return new Promise((resolve) => {
    if (port === 0) {
      resolve({ ok: true });
      return;
    }
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ERROR';
      const why = code === 'EADDRINUSE' ? 'the address is already in use (is another mirrortube running?)' : code === 'EACCES' ? 'permission denied (ports under 1024 need privileges)' : err.message;
      resolve({ ok: false, code, line: `mirrortube: cannot listen on ${hostname}:${port}: ${why}; nothing was changed (set listen.port or MIRRORTUBE_LISTEN__PORT)` });
    });
    server.listen(port, hostname, () => server.close(() => resolve({ ok: true })));
  });
}
