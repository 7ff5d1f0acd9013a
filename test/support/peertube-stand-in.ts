import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { systemLookup, type LookupAddresses } from '../../src/federation/remote/index.js';
import type { Clock } from '../../src/lib/clock.js';
import { PEERTUBE_REAL_DIR } from './reference.js';

/** Where session 2's files are (README.md, steps.md, to-mirrortube.jsonl, PeerTube's documents). */
export const SESSION_2_DIR = join(PEERTUBE_REAL_DIR, 'session-2');
/** PeerTube's public address in the capture. */
export const PEERTUBE_BASE = 'http://localhost:9000';
/** PeerTube's video (uuid) in the capture. */
export const PEERTUBE_VIDEO_UUID = '4200905f-881b-413b-b1c0-dbb162bd11e8';

/** One request the stand-in received. */
export interface StandInRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** the replay clock when it arrived */
  at: Date;
}

export interface StandInAnswer {
  status: number;
  contentType?: string;
  body?: string;
}

/** Answers a GET of `path` (with its query) at the replay clock's time; undefined: not served here. */
export type StandInRoute = (path: string, now: Date) => StandInAnswer | undefined;

const AP = 'application/activity+json; charset=utf-8';
const read = (name: string) => readFileSync(join(SESSION_2_DIR, name), 'utf8');

/**
 * PeerTube's video as it was at each moment of the capture (from steps.md: the version files were
 * polled every 0.4 s; a version is served from when PeerTube made it). Deleted at 11:24:52.
 */
const VIDEO_VERSIONS: readonly { from: string; file: string }[] = [
  { from: '2026-12-07T11:18:26.000Z', file: 'pt-video-ap-01-after-upload.json' },
  { from: '2026-12-07T11:18:34.400Z', file: 'pt-video-ap-03-optimized-web-video-360.json' },
  { from: '2026-12-07T11:18:38.000Z', file: 'pt-video-ap-05-published.json' },
  { from: '2026-12-07T11:18:42.000Z', file: 'pt-video-ap-06-web-video-240-added.json' },
  { from: '2026-12-07T11:18:43.900Z', file: 'pt-video-ap-07-hls-240-added.json' },
  { from: '2026-12-07T11:18:44.000Z', file: 'pt-video-ap-08-after-transcoding.json' },
  { from: '2026-12-07T11:24:08.900Z', file: 'pt-video-ap-09-after-edit.json' },
];
const VIDEO_DELETED_AT = new Date('2026-12-07T11:24:52.000Z');

/** The captured documents PeerTube served, at their URLs (paths on localhost:9000). */
function capturedRoutes(): StandInRoute[] {
  const actors = new Map<string, string>([
    ['/accounts/peertube', read('pt-actor-instance-peertube.json')],
    ['/accounts/root', read('pt-actor-account-root.json')],
    ['/video-channels/root_channel', read('pt-actor-channel-root_channel.json')],
  ]);
  const webfinger = new Map<string, string>([
    ['peertube', '/accounts/peertube'],
    ['root', '/accounts/root'],
    ['root_channel', '/video-channels/root_channel'],
  ]);
  const hlsDir = `/static/streaming-playlists/hls/${PEERTUBE_VIDEO_UUID}/`;
  const hls = new Map<string, { type: string; body: string }>([
    ['780082ee-f023-4fc4-be60-294cd9b9bacd-master.m3u8', { type: 'application/vnd.apple.mpegurl', body: read('pt-video-hls-master.m3u8') }],
    ['f3eedd9b-bc1f-4a1e-b4e4-df4d4f908b11-240.m3u8', { type: 'application/vnd.apple.mpegurl', body: read('pt-video-hls-240.m3u8') }],
    ['b7598f69-83eb-4c23-95c2-0bfb0dad866e-360.m3u8', { type: 'application/vnd.apple.mpegurl', body: read('pt-video-hls-360.m3u8') }],
    ['255ad171-b708-4855-8d7c-62a42876ce27-segments-sha256.json', { type: 'application/json', body: read('pt-video-segments-sha256.json') }],
  ]);
  const comment1 = read('pt-comment-note-ap.json');
  const comment1Url = (JSON.parse(comment1) as { id: string }).id;
  return [
    (path) => {
      const doc = actors.get(path);
      return doc === undefined ? undefined : { status: 200, contentType: AP, body: doc };
    },
    (path) => {
      const url = new URL(path, PEERTUBE_BASE);
      if (url.pathname !== '/.well-known/webfinger') return undefined;
      const match = /^acct:([^@]+)@localhost:9000$/.exec(url.searchParams.get('resource') ?? '');
      const actorPath = match ? webfinger.get(match[1]!) : undefined;
      if (!match || !actorPath) return { status: 404 };
      const jrd = {
        subject: `acct:${match[1]}@localhost:9000`,
        aliases: [`${PEERTUBE_BASE}${actorPath}`],
        links: [{ rel: 'self', type: 'application/activity+json', href: `${PEERTUBE_BASE}${actorPath}` }],
      };
      return { status: 200, contentType: 'application/jrd+json; charset=utf-8', body: JSON.stringify(jrd) };
    },
    (path, now) => {
      if (path !== `/videos/watch/${PEERTUBE_VIDEO_UUID}`) return undefined;
      if (now >= VIDEO_DELETED_AT) return { status: 404 };
      const version = [...VIDEO_VERSIONS].reverse().find((v) => new Date(v.from) <= now);
      return version ? { status: 200, contentType: AP, body: read(version.file) } : { status: 404 };
    },
    (path) => {
      if (!path.startsWith(hlsDir)) return undefined;
      const file = hls.get(path.slice(hlsDir.length));
      return file ? { status: 200, contentType: file.type, body: file.body } : { status: 404 };
    },
    (path) => (`${PEERTUBE_BASE}${path}` === comment1Url ? { status: 200, contentType: AP, body: comment1 } : undefined),
  ];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A random loopback address (127.0.0.0/8 is all loopback on Linux): port 9000 there is free of other tests. */
const randomLoopback = () => `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

export interface PeerTubeStandIn {
  /** the loopback address it listens on, port 9000 */
  address: string;
  /** for InstanceOptions.lookup: `localhost` (PeerTube's host name in the capture) resolves to the stand-in */
  lookup: LookupAddresses;
  /** every request received, in order */
  requests: StandInRequest[];
  /** POSTs to an inbox, parsed, with the inbox path */
  deliveries(): { inbox: string; activity: Record<string, unknown>; at: Date }[];
  /** serves more documents (checked before the captured ones) */
  route(route: StandInRoute): void;
  stop(): Promise<void>;
}

/**
 * PeerTube of session 2, as far as our instance needs to reach it: its actors (keys included),
 * webfinger, its video in the version of the moment, the HLS playlists and hashes, the comment's
 * Note, and an inbox for our deliveries (answered 204, recorded). It listens on port 9000 of a
 * random loopback address, and `lookup` maps `localhost` there; the SSRF guard still vets the
 * address (tests allow private addresses).
 */
export async function startPeerTubeStandIn(clock: Clock): Promise<PeerTubeStandIn> {
  const requests: StandInRequest[] = [];
  const extra: StandInRoute[] = [];
  const routes = capturedRoutes();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, at: clock.now() });
      if (req.method === 'POST' && /\/inbox$/.test(path.split('?')[0]!)) {
        res.writeHead(204).end();
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      let answer: StandInAnswer | undefined;
      for (const route of [...extra, ...routes]) {
        answer = route(path, clock.now());
        if (answer) break;
      }
      answer ??= { status: 404 };
      res.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {});
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    })();
  });
  let address = '';
  for (let attempt = 0; attempt < 20 && address === ''; attempt++) {
    const candidate = randomLoopback();
    const bound = await new Promise<boolean>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err));
      server.once('error', onError);
      server.listen(9000, candidate, () => {
        server.off('error', onError);
        resolve(true);
      });
    });
    if (bound) address = candidate;
  }
  if (address === '') throw new Error('no loopback address with port 9000 free');

  return {
    address,
    lookup: async (hostname) => (hostname === 'localhost' ? [{ address, family: 4 }] : systemLookup(hostname)),
    requests,
    deliveries: () =>
      requests
        .filter((r) => r.method === 'POST' && /\/inbox$/.test(r.path))
        .map((r) => ({ inbox: `${PEERTUBE_BASE}${r.path}`, activity: JSON.parse(r.body) as Record<string, unknown>, at: r.at })),
    route: (route) => extra.push(route),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
