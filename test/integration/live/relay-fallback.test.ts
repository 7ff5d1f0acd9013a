import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSafeFetcher } from '../../../src/federation/remote/index.js';
import { systemClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { usableAlternates } from '../../../src/live/relay/relay-sources.js';
import { createRelayTask, type RelayTask } from '../../../src/live/relay/relay-task.js';
import { freePort, waitFor } from '../../support/ports.js';

/**
 * A relay of a relay, over real HTTP on 127.0.0.1: an origin serving a live (1 s segments, a
 * window of four, its `segments-sha256.json`), relay A and relay B pulling it (relay tasks with the
 * SSRF-safe fetcher, their folders served over HTTP as /static/redundancy/hls/<uuid>/). The origin
 * goes away for B only (B's connection to it closed): B keeps serving the new segments, taken from
 * A and checked against the hash list; a segment A serves tampered is refused by B and never served;
 * B returns to the origin once the origin answers it again.
 */

const U = '0b9e3d7a-1111-4222-8333-944455556666';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ORIGIN_PATH = `/static/streaming-playlists/hls/${U}/`;
const RELAY_PATH = `/static/redundancy/hls/${U}/`;
const MASTER = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=160x90\n0.m3u8\n';

const contentType = (name: string) => (name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : name.endsWith('.json') ? 'application/json' : 'video/mp4');

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** Files by name under a path prefix; `read` gives a file's bytes (or undefined: 404). */
function fileHandler(prefix: string, read: (name: string) => Promise<Buffer | undefined>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0]!;
    const name = path.startsWith(prefix) ? decodeURIComponent(path.slice(prefix.length)) : '';
    void (name === '' || name.includes('/') ? Promise.resolve(undefined) : read(name)).then((body) => {
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': contentType(name), 'content-length': body.length }).end(body);
    });
  };
}

describe('a live relay pulling from another relay when its origin is unreachable', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('keeps serving new segments taken from another relay, hash-checked, refuses a tampered one, and returns to the origin', async () => {
    // the origin's live: segment n is random bytes, hashed before it is listed
    const originFiles = new Map<string, Buffer>([
      ['master.m3u8', Buffer.from(MASTER)],
      ['0-init-1.mp4', randomBytes(600)],
    ]);
    let last = 0;
    const produce = () => {
      last++;
      originFiles.set(`0-${last}.mp4`, randomBytes(3000 + last));
      const window = Array.from({ length: Math.min(4, last) }, (_, i) => last - Math.min(4, last) + 1 + i);
      originFiles.set('segments-sha256.json', Buffer.from(JSON.stringify(Object.fromEntries(window.map((n) => [`0-${n}.mp4`, sha256(originFiles.get(`0-${n}.mp4`)!)])))));
      const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:1', `#EXT-X-MEDIA-SEQUENCE:${window[0]}`, '#EXT-X-MAP:URI="0-init-1.mp4"', ...window.flatMap((n) => ['#EXTINF:1.000000,', `0-${n}.mp4`]), ''];
      originFiles.set('0.m3u8', Buffer.from(lines.join('\n')));
    };
    const originHandler = fileHandler(ORIGIN_PATH, async (name) => originFiles.get(name));
    // one origin, two doors: one for each relay (B's is closed to make the origin unreachable from B only)
    const [portForA, portForB, portA, portB] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const originForA = await listen(originHandler, portForA);
    cleanup.push(() => close(originForA));
    let originForB: Server | null = await listen(originHandler, portForB);
    cleanup.push(() => (originForB ? close(originForB) : Promise.resolve()));

    const root = await mkdtemp(join(tmpdir(), 'relay-fallback-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const dirA = join(root, 'a', U);
    const dirB = join(root, 'b', U);
    // relay A serves its folder; the names in `tampered` are served with other bytes
    const tampered = new Set<string>();
    const relayA = await listen(
      fileHandler(RELAY_PATH, async (name) => {
        const body = await readFile(join(dirA, name)).catch(() => undefined);
        return body && tampered.has(name) ? Buffer.concat([body.subarray(0, body.length - 1), Buffer.from([body[body.length - 1]! ^ 0xff])]) : body;
      }),
      portA,
    );
    cleanup.push(() => close(relayA));
    const relayB = await listen(fileHandler(RELAY_PATH, async (name) => readFile(join(dirB, name)).catch(() => undefined)), portB);
    cleanup.push(() => close(relayB));
    const relayABase = `http://127.0.0.1:${portA}${RELAY_PATH.slice(0, -1)}`;
    const relayBBase = `http://127.0.0.1:${portB}${RELAY_PATH.slice(0, -1)}`;

    const fetcher = createSafeFetcher({ allowPrivateAddresses: true, timeoutMs: 5000, maxBytes: 16 * 1024 * 1024, maxRedirects: 0, userAgent: 'mirrortube-test', clock: systemClock });
    const logger = createLogger({ level: 'silent' });
    const mismatches: Record<'a' | 'b', string[]> = { a: [], b: [] };
    const sources: string[] = [];
    const ends: string[] = [];
    const task = (who: 'a' | 'b', originPort: number, dir: string, alternates: () => string[]): RelayTask =>
      createRelayTask({
        uuid: U,
        masterUrl: `http://127.0.0.1:${originPort}${ORIGIN_PATH}master.m3u8`,
        segmentsSha256Url: `http://127.0.0.1:${originPort}${ORIGIN_PATH}segments-sha256.json`,
        dir,
        fetcher,
        clock: systemClock,
        logger,
        unreachableMs: 60_000,
        maxFileBytes: 1024 * 1024,
        alternates,
        observe: {
          ready: () => undefined,
          segment: () => undefined,
          mismatch: (name) => mismatches[who].push(name),
          end: (reason, message) => void ends.push(`${who}: ${reason} ${message}`),
          ...(who === 'b' ? { source: (from: string, url: string) => void sources.push(`${from} ${url}`) } : {}),
        },
      });
    // each knows the other (the origin listed both); B's own URL is listed too and left out
    const a = task('a', portForA, dirA, () => usableAlternates([relayBBase], [`http://127.0.0.1:${portA}/static/redundancy/hls/`]));
    const b = task('b', portForB, dirB, () => usableAlternates([relayABase, relayBBase], [`http://127.0.0.1:${portB}/static/redundancy/hls/`]));
    cleanup.push(() => a.stop(), () => b.stop());

    /** what a relay serves over HTTP */
    const served = async (base: string, name: string) => {
      const res = await fetch(`${base}/${encodeURIComponent(name)}`);
      return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : null;
    };
    const listing = async (base: string, n: number) => ((await served(base, '0.m3u8'))?.toString().includes(`\n0-${n}.mp4\n`) ? true : undefined);
    /** every segment a relay's playlist lists is served with the origin's hash of it (the origin's list when it was produced) */
    const originHashes = new Map<string, string>();
    const recordHashes = () => {
      for (const [name, hash] of Object.entries(JSON.parse(originFiles.get('segments-sha256.json')!.toString()) as Record<string, string>)) originHashes.set(name, hash);
    };
    const expectVerified = async (base: string) => {
      const playlist = (await served(base, '0.m3u8'))!.toString();
      const names = playlist.split('\n').filter((l) => l.endsWith('.mp4') && !l.startsWith('#'));
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect([name, sha256((await served(base, name))!)]).toEqual([name, originHashes.get(name)]);
      return names;
    };

    for (let i = 0; i < 3; i++) produce();
    recordHashes();
    a.start();
    b.start();
    await waitFor('both relays serving segment 3', async () => ((await listing(relayABase, 3)) && (await listing(relayBBase, 3)) ? true : undefined), 20_000, 100);
    expect(b.source()).toBeNull();

    // the origin goes away for B; the live goes on (A still reaches the origin)
    await close(originForB);
    originForB = null;
    for (let i = 0; i < 2; i++) produce();
    recordHashes();
    await waitFor('B serving segment 5, taken from A', async () => await listing(relayBBase, 5), 20_000, 100);
    // (a relay listing nothing new for 3 s is left alone a moment: a slow run may see B switch more than once)
    expect(sources[0]).toBe(`relay ${relayABase}`);
    expect(await expectVerified(relayBBase)).toEqual(['0-2.mp4', '0-3.mp4', '0-4.mp4', '0-5.mp4']);
    // B's copy of the hash list: the hashes of what it serves
    expect(JSON.parse((await served(relayBBase, 'segments-sha256.json'))!.toString())).toMatchObject({ '0-4.mp4': originHashes.get('0-4.mp4'), '0-5.mp4': originHashes.get('0-5.mp4') });

    // A serves segment 6 tampered (A itself relays it fine): B refuses it, never serves it, nor a playlist listing it
    tampered.add('0-6.mp4');
    produce();
    recordHashes();
    await waitFor('A serving segment 6', async () => await listing(relayABase, 6), 20_000, 100);
    await waitFor('B refusing the tampered 6', async () => (mismatches.b.includes('0-6.mp4') ? true : undefined), 20_000, 100);
    expect(existsSync(join(dirB, '0-6.mp4'))).toBe(false);
    expect(await served(relayBBase, '0-6.mp4')).toBeNull();
    expect(await listing(relayBBase, 6)).toBeUndefined();
    expect(mismatches.a).toEqual([]);

    // A serves it right again: B catches up, every byte checked
    tampered.clear();
    produce();
    recordHashes();
    await waitFor('B serving segment 7', async () => await listing(relayBBase, 7), 20_000, 100);
    expect(await expectVerified(relayBBase)).toEqual(['0-4.mp4', '0-5.mp4', '0-6.mp4', '0-7.mp4']);
    expect(mismatches.b.every((n) => n === '0-6.mp4')).toBe(true);

    // the origin answers B again: B pulls from it at once
    originForB = await listen(originHandler, portForB);
    produce();
    recordHashes();
    await waitFor('B back on the origin', async () => (b.source() === null && (await listing(relayBBase, 8)) ? true : undefined), 20_000, 100);
    const viaOrigin = `origin http://127.0.0.1:${portForB}${ORIGIN_PATH}master.m3u8`;
    expect(sources.at(-1)).toBe(viaOrigin);
    expect(sources.every((s) => s === viaOrigin || s === `relay ${relayABase}`)).toBe(true);
    await expectVerified(relayBBase);
    expect(ends).toEqual([]);
  });
});
