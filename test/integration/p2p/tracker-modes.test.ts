import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTracker, decodeBencode, isBencodeDict } from '../../../src/p2p/index.js';
import type { Tracker, TrackerOptions } from '../../../src/p2p/index.js';

// The tracker's HTTP side on a bare node server (127.0.0.1), one request at a time.

const silent = { debug() {}, warn() {}, error() {} };

function percentBytes(bytes: Buffer): string {
  return [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

describe('tracker modes', () => {
  let server: http.Server | undefined;
  let tracker: Tracker | undefined;

  afterEach(async () => {
    await tracker?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    tracker = undefined;
  });

  async function start(options: Partial<TrackerOptions>): Promise<string> {
    const current = createTracker({ private: true, isAllowedInfoHash: () => false, logger: silent, ...options });
    tracker = current;
    server = http.createServer((req, res) => {
      res.statusCode = 404; // what koa leaves on the node response when `ctx.respond = false`
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      current.handleHttp(req, res, pathname === '/tracker/scrape' ? 'scrape' : 'announce');
    });
    server.on('upgrade', (req, socket, head) => current.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function announce(base: string, infoHash: Buffer, left = 0, port = 51413): Promise<{ status: number; body: Map<string, unknown> }> {
    const res = await fetch(
      `${base}/tracker/announce?info_hash=${percentBytes(infoHash)}&peer_id=${percentBytes(randomBytes(20))}` +
        `&port=${port}&uploaded=0&downloaded=0&left=${left}&compact=1`,
    );
    const decoded = decodeBencode(Buffer.from(await res.arrayBuffer()));
    if (!decoded.ok || !isBencodeDict(decoded.value)) throw new Error('not a bencoded dictionary');
    return { status: res.status, body: decoded.value.entries };
  }

  const text = (value: unknown): string | undefined => (value instanceof Uint8Array ? Buffer.from(value).toString() : undefined);

  it('a public tracker accepts any infohash and counts seeders and leechers', async () => {
    const base = await start({ private: false });
    const infoHash = randomBytes(20);
    const first = await announce(base, infoHash, 0);
    expect(first.status).toBe(200);
    expect(first.body.get('failure reason')).toBeUndefined();
    // HTTP peers are told apart by address:port.
    await announce(base, infoHash, 500, 51414);
    expect(tracker?.stats()).toEqual({ torrents: 1, seeders: 1, leechers: 1, peers: 2 });
  });

  it('a private tracker asks isAllowedInfoHash with the lower-case hex infohash', async () => {
    const asked: string[] = [];
    const ours = randomBytes(20);
    const base = await start({
      isAllowedInfoHash: (infoHash) => {
        asked.push(infoHash);
        return infoHash === ours.toString('hex');
      },
    });
    expect((await announce(base, ours)).body.get('failure reason')).toBeUndefined();
    const other = randomBytes(20);
    expect(text((await announce(base, other)).body.get('failure reason'))).toBe(`Unknown infoHash ${other.toString('hex')}`);
    expect(asked).toEqual([ours.toString('hex'), other.toString('hex')]);
    expect(tracker?.stats().torrents).toBe(1);
  });

  it('a failing infohash check refuses the announce and is logged as an error', async () => {
    const errors: string[] = [];
    const base = await start({
      isAllowedInfoHash: async () => {
        throw new Error('database down');
      },
      logger: { ...silent, error: (_fields, message) => errors.push(message) },
    });
    const answer = await announce(base, randomBytes(20));
    expect(text(answer.body.get('failure reason'))).toBe('Tracker error, try again later');
    expect(errors).toEqual(['tracker: infohash check failed']);
  });

  it('a malformed announce gets a failure reason, not a crash', async () => {
    const base = await start({ private: false });
    const res = await fetch(`${base}/tracker/announce?info_hash=short&peer_id=x&port=1`);
    const decoded = decodeBencode(Buffer.from(await res.arrayBuffer()));
    expect(decoded.ok && isBencodeDict(decoded.value) && text(decoded.value.entries.get('failure reason'))).toBe('invalid info_hash');
  });

  it('after close(), HTTP gets 503 and WebSocket upgrades are dropped', async () => {
    const base = await start({ private: false });
    await tracker?.close();
    expect((await fetch(`${base}/tracker/announce`)).status).toBe(503);

    const upgrade = await new Promise<string>((resolve) => {
      const req = http.request(`${base}/tracker/socket`, {
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
        agent: false,
      });
      req.on('upgrade', () => resolve('upgraded'));
      req.on('response', () => resolve('response'));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      req.end();
    });
    expect(upgrade).toBe('ECONNRESET');
  });
});
