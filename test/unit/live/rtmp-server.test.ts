import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/lib/logger.js';
import { createRtmpServer, type RtmpServer } from '../../../src/live/rtmp-server.js';
import { prng } from '../../support/prng.js';

/** Sends `bytes` (then closes our side); resolves with what the server answered once it closed. */
function exchange(port: number, bytes: Buffer, endAfter = true): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => (endAfter ? socket.end(bytes) : socket.write(bytes)));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // a handshake answer is all we wait for when we keep the connection open
      if (!endAfter && Buffer.concat(chunks).length >= 1 + 1536 * 2) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

describe('RTMP server: garbage and truncated data', () => {
  let server: RtmpServer;
  const publishes: string[] = [];
  beforeAll(async () => {
    server = createRtmpServer({
      hostname: '127.0.0.1',
      port: 0,
      authority: {
        publish: async (request) => {
          publishes.push(request.streamKey);
          return { ok: false, reason: { type: 'unknown-key', message: 'test' } };
        },
      },
      logger: createLogger({ level: 'silent' }),
    });
    await server.start();
  });
  afterAll(() => server.stop());

  it('listens on the port the OS chose (port 0)', () => {
    expect(server.port()).toBeGreaterThan(0);
  });

  it('survives random bytes, truncated handshakes and bad chunk streams, and still answers a handshake after', async () => {
    const random = prng(13);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    const inputs: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from([3]),
      Buffer.concat([Buffer.from([3]), bytes(100)]),
      Buffer.concat([Buffer.from([3]), bytes(1536)]),
      Buffer.concat([Buffer.from([3]), bytes(1536 * 2), bytes(4000)]),
      Buffer.concat([Buffer.from([6]), bytes(3000)]),
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      ...Array.from({ length: 20 }, () => bytes(1 + Math.floor(random() * 9000))),
      ...Array.from({ length: 10 }, () => Buffer.concat([Buffer.from([3]), bytes(1536 * 2), bytes(1 + Math.floor(random() * 3000))])),
    ];
    await Promise.all(inputs.map((b) => exchange(server.port()!, b)));
    // a client's C0+C1 still gets S0+S1+S2
    const answer = await exchange(server.port()!, Buffer.concat([Buffer.from([3]), Buffer.alloc(1536)]), false);
    expect(answer[0]).toBe(3);
    expect(answer.length).toBe(1 + 1536 * 2);
    expect(publishes).toEqual([]);
  });
});
