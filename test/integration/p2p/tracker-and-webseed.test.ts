import { createHash, randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client as TrackerClient } from 'bittorrent-tracker';
import Koa from 'koa';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebTorrent from 'webtorrent';
import type { Torrent } from 'webtorrent';
import { createStaticRouter } from '../../../src/http/static/index.js';
import { reannounceUntilConnected } from '../../support/seeding.js';
import { TEST_CLIENT_OPTIONS } from '../../support/webtorrent.js';
import {
  buildAnnounceList,
  buildTrackerUrls,
  createTorrentFile,
  createTracker,
  decodeBencode,
  isBencodeDict,
  shortenWebRtcAnswerDelay,
  TRACKER_SOCKET_PATH,
  webRtcAnswerDelayMs,
} from '../../../src/p2p/index.js';
import type { CreatedTorrent, Tracker, TrackerLogger, TrackerUrls } from '../../../src/p2p/index.js';

// One koa server on 127.0.0.1 serving a 3 MB "video" as a webseed and hosting our private tracker
// (HTTP announce/scrape + WebSocket), used by real WebTorrent clients in this process.

const STEP_TIMEOUT_MS = 30_000;

// A pino logger is what the instance passes; this line only has to type-check.
const _pinoFits: TrackerLogger = pino({ enabled: false });

/** The first `event` of `emitter`, or a clear failure after `ms` (no sleeping, no hanging). */
function once<T = unknown>(emitter: EventEmitter, event: string, ms = STEP_TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`timed out after ${ms} ms waiting for "${event}"`));
    }, ms);
    function onEvent(value: T): void {
      clearTimeout(timer);
      resolve(value);
    }
    emitter.once(event, onEvent);
  });
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `%XX` for every byte, as BitTorrent clients send `info_hash` and `peer_id`. */
function percentBytes(bytes: Buffer): string {
  return [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/** Open handles and timers of this process (pending file-system requests aside), sorted. */
function activeResources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => !r.startsWith('FSReq')).sort();
}

function destroyClient(client: WebTorrent): Promise<void> {
  return new Promise((resolve, reject) => client.destroy((err) => (err ? reject(err) : resolve())));
}

describe('p2p: our tracker and webseed with real WebTorrent clients', () => {
  let tmp: string;
  let videoDir: string;
  let server: http.Server;
  let tracker: Tracker;
  let base: string;
  let urls: TrackerUrls;
  let fileUrl: string;
  const fileName = '58338225-4a2b-4f8d-9506-ef418ce1c194-360.mp4';
  const content = randomBytes(3 * 1024 * 1024);
  const allowed = new Set<string>();
  const webseedBytes: number[] = [];
  const clients: WebTorrent[] = [];
  const trackerClients: TrackerClient[] = [];
  const logged: Array<{ level: string; message: string }> = [];
  let resourcesBefore: string[] = [];
  let webseedTorrent: CreatedTorrent;
  let trackerOnlyTorrent: CreatedTorrent;

  function newClient(): WebTorrent {
    const client = new WebTorrent(TEST_CLIENT_OPTIONS);
    client.on('error', (error) => {
      throw error;
    });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    resourcesBefore = activeResources();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-p2p-'));
    videoDir = path.join(tmp, 'storage', 'web-videos');
    await mkdir(videoDir, { recursive: true });
    await writeFile(path.join(videoDir, fileName), content);

    const logger: TrackerLogger = {
      debug: (_fields, message) => logged.push({ level: 'debug', message }),
      warn: (_fields, message) => logged.push({ level: 'warn', message }),
      error: (_fields, message) => logged.push({ level: 'error', message }),
    };
    tracker = createTracker({ private: true, isAllowedInfoHash: async (infoHash) => allowed.has(infoHash), logger });

    const app = new Koa();
    app.use(async (ctx, next) => {
      const action = ctx.path === '/tracker/announce' ? 'announce' : ctx.path === '/tracker/scrape' ? 'scrape' : undefined;
      if (action === undefined || ctx.method !== 'GET') return next();
      ctx.respond = false;
      tracker.handleHttp(ctx.req, ctx.res, action);
    });
    app.use(
      createStaticRouter([
        { urlPrefix: '/static/web-videos/', directory: videoDir, onBytesSent: (n) => webseedBytes.push(n) },
      ]),
    );
    server = http.createServer(app.callback());
    server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://localhost').pathname === TRACKER_SOCKET_PATH) {
        tracker.handleUpgrade(req, socket, head);
      } else {
        socket.destroy();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    urls = buildTrackerUrls(base);
    fileUrl = `${base}/static/web-videos/${fileName}`;

    webseedTorrent = await createTorrentFile({
      filePath: path.join(videoDir, fileName),
      name: fileName,
      announceList: buildAnnounceList(urls),
      urlList: [fileUrl],
    });
    // Same bytes, no webseed, HTTP tracker only: peers can only find each other through
    // /tracker/announce. Another piece length gives another info dictionary, hence its own swarm
    // (trackers and webseeds are outside the info dictionary and do not change the infohash).
    trackerOnlyTorrent = await createTorrentFile({
      filePath: path.join(videoDir, fileName),
      name: fileName,
      announceList: [[urls.announceUrl]],
      urlList: [],
      pieceLength: 256 * 1024,
    });
    expect(trackerOnlyTorrent.infoHash).not.toBe(webseedTorrent.infoHash);
    allowed.add(webseedTorrent.infoHash);
    allowed.add(trackerOnlyTorrent.infoHash);
  });

  afterAll(async () => {
    for (const client of trackerClients) client.destroy();
    await Promise.all(clients.filter((c) => !c.destroyed).map(destroyClient));
    await tracker?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(tmp, { recursive: true, force: true });
    // Nothing left open by the tracker, the HTTP server or the WebTorrent clients: no socket,
    // no server, no timer beyond what the test worker had before (some of those may have ended).
    const count = (list: string[]) => list.reduce<Record<string, number>>((m, t) => ({ ...m, [t]: (m[t] ?? 0) + 1 }), {});
    const before = count(resourcesBefore);
    // Closing finishes asynchronously (later still on a busy machine): a bounded wait for the state, not one look.
    await vi.waitFor(
      () => {
        for (const [type, n] of Object.entries(count(activeResources()))) expect(n, `${type} left open`).toBeLessThanOrEqual(before[type] ?? 0);
      },
      { timeout: 30_000, interval: 100 },
    );
  });

  it('(a) a WebTorrent client downloads the file from our webseed alone, byte for byte', async () => {
    const leecher = newClient();
    const torrent: Torrent = leecher.add(webseedTorrent.torrent, { path: path.join(tmp, 'leech-a') });
    await once(torrent, 'done');

    expect(torrent.infoHash).toBe(webseedTorrent.infoHash);
    const downloaded = await readFile(path.join(tmp, 'leech-a', fileName));
    expect(sha256(downloaded)).toBe(sha256(content));
    // Nobody seeds this torrent: every byte came over HTTP from the static router, which counted it.
    expect(torrent.wires.map((w) => w.type)).toEqual(['webSeed']);
    expect(webseedBytes.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(content.length);
  });

  it('(b) a seeder and a leecher that only know our tracker exchange the file over BitTorrent', async () => {
    const seeder = newClient();
    const seeding: Torrent = seeder.add(trackerOnlyTorrent.torrent, { path: videoDir });
    const seederAnnounced = once(seeding, 'trackerAnnounce');
    await once(seeding, 'done'); // existing file verified: it is a seed
    await seederAnnounced;
    expect(tracker.stats().torrents).toBeGreaterThanOrEqual(1);

    const leecher = newClient();
    const leeching: Torrent = leecher.add(trackerOnlyTorrent.torrent, { path: path.join(tmp, 'leech-b') });
    await once(leeching, 'done');

    const downloaded = await readFile(path.join(tmp, 'leech-b', fileName));
    expect(sha256(downloaded)).toBe(sha256(content));
    expect(leeching.urlList).toEqual([]);
    const wireTypes = leeching.wires.map((w) => w.type);
    expect(wireTypes.length).toBeGreaterThan(0);
    expect(wireTypes.every((type) => type === 'tcpOutgoing' || type === 'tcpIncoming')).toBe(true);
    // The only way the leecher can know the seeder's listening port is our tracker's answer.
    expect(leeching.wires.map((w) => `${w.remoteAddress}:${Number(w.remotePort)}`)).toEqual(
      leeching.wires.map(() => `127.0.0.1:${seeder.torrentPort}`),
    );
    expect(tracker.stats().peers).toBeGreaterThanOrEqual(2);
  });

  it('(c) the private tracker refuses an unknown infohash and accepts ours', async () => {
    const announce = async (infoHash: Buffer) => {
      const query =
        `info_hash=${percentBytes(infoHash)}&peer_id=${percentBytes(randomBytes(20))}` +
        '&port=6881&uploaded=0&downloaded=0&left=1000&compact=1&event=started';
      const res = await fetch(`${urls.announceUrl}?${query}`);
      expect(res.status).toBe(200);
      const decoded = decodeBencode(Buffer.from(await res.arrayBuffer()));
      if (!decoded.ok || !isBencodeDict(decoded.value)) throw new Error('announce answer is not a bencoded dictionary');
      const failure = decoded.value.entries.get('failure reason');
      return {
        failure: failure instanceof Uint8Array ? Buffer.from(failure).toString() : undefined,
        interval: decoded.value.entries.get('interval'),
      };
    };

    const unknown = randomBytes(20);
    const refused = await announce(unknown);
    expect(refused.failure).toBe(`Unknown infoHash ${unknown.toString('hex')}`);
    expect(refused.interval).toBeUndefined();
    expect(logged).toContainEqual({ level: 'debug', message: 'tracker: request refused' });

    const accepted = await announce(Buffer.from(trackerOnlyTorrent.infoHash, 'hex'));
    expect(accepted.failure).toBeUndefined();
    expect(accepted.interval).toBe(600);

    const scrape = await fetch(`${base}/tracker/scrape?info_hash=${percentBytes(Buffer.from(trackerOnlyTorrent.infoHash, 'hex'))}`);
    const scraped = decodeBencode(Buffer.from(await scrape.arrayBuffer()));
    expect(scraped.ok && isBencodeDict(scraped.value) && scraped.value.entries.has('files')).toBe(true);
  });

  it('(d) WebSocket announces at /tracker/socket: ours accepted, unknown refused', async () => {
    const wsClient = (infoHash: string) => {
      const client = new TrackerClient({ infoHash, peerId: randomBytes(20), announce: [urls.socketUrl], port: 6881, rtcConfig: { iceServers: [] } });
      client.on('error', (error: Error) => {
        throw error;
      });
      // This bare client only checks the tracker's answers; it must not keep WebRTC connections
      // that other peers' offers could open (nobody would own them at teardown).
      client.on('peer', (peer: { destroy(): void }) => peer.destroy());
      trackerClients.push(client);
      return client;
    };

    const ours = wsClient(trackerOnlyTorrent.infoHash);
    const update = once<{ complete: number; incomplete: number }>(ours, 'update');
    ours.start({ left: 0, numwant: 0 });
    const answer = await update;
    expect(answer.complete).toBeGreaterThanOrEqual(1);

    const stranger = wsClient(randomBytes(20).toString('hex'));
    const warning = once<Error>(stranger, 'warning');
    stranger.start({ left: 100, numwant: 0 });
    expect((await warning).message).toMatch(/^Unknown infoHash [0-9a-f]{40}$/);
  });

  it('(e) WebRTC peers (what browsers are) find each other through /tracker/socket', async () => {
    // WebSocket tracker only, no webseed: the offer/answer signalling goes through our tracker.
    const webrtcOnly = await createTorrentFile({
      filePath: path.join(videoDir, fileName),
      name: fileName,
      announceList: [[urls.socketUrl]],
      urlList: [],
      pieceLength: 128 * 1024,
    });
    allowed.add(webrtcOnly.infoHash);

    const seeder = newClient();
    const seeding: Torrent = seeder.add(webrtcOnly.torrent, { path: videoDir });
    const seederAnnounced = once(seeding, 'trackerAnnounce');
    await once(seeding, 'done');
    await seederAnnounced;
    // As our seeder does: answer offers without waiting simple-peer's 5 s for an end of ICE
    // gathering that node-datachannel never signals (5 s on each side can outlast libdatachannel).
    shortenWebRtcAnswerDelay(seeding, webRtcAnswerDelayMs([]));

    // node-datachannel now and then never completes a connection (ICE on a loaded machine): a
    // leecher that got nowhere in 25 s is replaced by a fresh one, at most three times
    let leecher!: WebTorrent;
    let leeching!: Torrent;
    let leechDir = '';
    for (let attempt = 1; ; attempt++) {
      leecher = newClient();
      leechDir = path.join(tmp, `leech-e-${attempt}`);
      leeching = leecher.add(webrtcOnly.torrent, { path: leechDir });
      const stopReannouncing = reannounceUntilConnected(leeching);
      const finished = await once(leeching, 'done', 25_000)
        .then(() => true)
        .catch((err: Error) => {
          if (attempt === 3) throw err;
          return false;
        })
        .finally(stopReannouncing);
      if (finished) break;
      await destroyClient(leecher);
    }

    const downloaded = await readFile(path.join(leechDir, fileName));
    expect(sha256(downloaded)).toBe(sha256(content));
    expect(leeching.wires.map((w) => w.type)).toEqual(['webrtc']);

    // Tear down one side at a time, letting the other see its WebRTC wire close first.
    const seederWiresClosed = Promise.all(seeding.wires.map((wire) => once(wire as unknown as EventEmitter, 'close')));
    await destroyClient(leecher);
    await seederWiresClosed;
    await destroyClient(seeder);
  });

  it('stats() sums the swarms, and close() refuses further requests', async () => {
    const stats = tracker.stats();
    expect(stats.torrents).toBe(3);
    expect(stats.seeders).toBeGreaterThanOrEqual(2);
    expect(stats.peers).toBe(stats.seeders + stats.leechers);

    await tracker.close();
    const res = await fetch(`${urls.announceUrl}?info_hash=x`);
    expect(res.status).toBe(503);
  });
});
