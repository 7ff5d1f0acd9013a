import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpApp } from '../../../src/http/app.js';

/** A request whose handler runs until `release()`, even after its client went away. */
function heldApp() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const started = new Promise<void>((resolve) => (entered = resolve));
  const app = new HttpApp(() => false);
  app.use(async (ctx) => {
    entered();
    await held;
    ctx.body = 'done';
  });
  return { app, release, started };
}

describe('HttpApp.idle: stopping waits for the requests still being handled', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  async function listen(app: HttpApp): Promise<number> {
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server!.address() as AddressInfo).port;
  }

  it('is idle at once when nothing is being handled', async () => {
    const { app } = heldApp();
    await listen(app);
    expect(await app.idle(1000)).toBe(true);
  });

  it('waits for a handler whose client disconnected, and gives up at the deadline', async () => {
    const { app, release, started } = heldApp();
    const port = await listen(app);
    const req = request({ host: '127.0.0.1', port, path: '/' });
    req.on('error', () => undefined);
    req.end();
    await started;
    req.destroy();
    server!.closeAllConnections();
    // still running: the deadline passes
    expect(await app.idle(50)).toBe(false);
    const idle = app.idle(10_000);
    let settled = false;
    void idle.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    release();
    expect(await idle).toBe(true);
  });
});
