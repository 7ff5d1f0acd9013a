import { mkdir, mkdtemp, readFile, rm, copyFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import WebTorrent from 'webtorrent';
import type { Torrent } from 'webtorrent';
import type { Prisma } from '../../src/db/index.js';
import { createInstance, type Instance } from '../../src/instance.js';
import { createLogger } from '../../src/lib/logger.js';
import { decodeBencode, isBencodeDict } from '../../src/p2p/index.js';
import { ROOT_PASSWORD, testConfig } from './instance.js';
import { waitFor } from './ports.js';
import { TEST_CLIENT_OPTIONS } from './webtorrent.js';

/** bencode of strings and lists only (what announce lists are), in the BEP 3 byte format. */
function bencodeStrings(value: string | unknown[]): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([Buffer.from(`${bytes.length}:`), bytes]);
  }
  return Buffer.concat([Buffer.from('l'), ...value.map((v) => bencodeStrings(v as string | unknown[])), Buffer.from('e')]);
}

/**
 * The same torrent (the info dictionary is copied byte for byte, so the infohash is unchanged)
 * with only the given trackers and no url-list: a client of it can only get the file from peers
 * that our tracker introduces, never from a webseed.
 */
export function torrentWithOnlyTrackers(torrent: Buffer, announceList: string[][]): Buffer {
  const decoded = decodeBencode(torrent);
  if (!decoded.ok || !isBencodeDict(decoded.value)) throw new Error('not a torrent');
  const info = decoded.value.entries.get('info');
  if (!isBencodeDict(info)) throw new Error('torrent without info');
  const first = announceList[0]?.[0];
  if (!first) throw new Error('give at least one tracker');
  // Keys in sorted order: announce, announce-list, info.
  return Buffer.concat([
    Buffer.from('d'),
    bencodeStrings('announce'),
    bencodeStrings(first),
    bencodeStrings('announce-list'),
    bencodeStrings(announceList),
    bencodeStrings('info'),
    Buffer.from(info.raw),
    Buffer.from('e'),
  ]);
}

/**
 * Between two Node peers a WebRTC connection sometimes fails under load (libdatachannel: "Got a
 * remote candidate without ICE transport" on the offering side), and a WebTorrent client only
 * re-announces (with fresh offers) minutes later. Until the torrent has a wire, announce again
 * every `everyMs`. Returns a function that stops it.
 */
export function reannounceUntilConnected(torrent: Torrent, everyMs = 7000): () => void {
  const timer = setInterval(() => {
    if (torrent.done || torrent.wires.length > 0) return;
    const tracker = (torrent as unknown as { discovery?: { tracker?: { update(): void } | null } | null }).discovery?.tracker;
    tracker?.update();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export interface LeechResult {
  data: Buffer;
  wireTypes: string[];
  infoHash: string;
  urlList: string[];
  seconds: number;
}

/**
 * Downloads the single file of `torrent` with a fresh WebTorrent client (TCP and WebRTC, no uTP,
 * no DHT). `attempts` > 1: a client that did not finish in `timeoutMs` is replaced by a fresh one
 * (node-datachannel now and then never completes a WebRTC connection on a loaded machine).
 */
export async function leech(torrent: Buffer, timeoutMs = 30_000, attempts = 1): Promise<LeechResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await leechOnce(torrent, timeoutMs);
    } catch (err) {
      if (attempt >= attempts || !(err instanceof Error) || !err.message.startsWith('download did not finish')) throw err;
    }
  }
}

async function leechOnce(torrent: Buffer, timeoutMs: number): Promise<LeechResult> {
  const dir = await mkdtemp(join(tmpdir(), 'mt-leech-'));
  const client = new WebTorrent(TEST_CLIENT_OPTIONS);
  const started = performance.now();
  try {
    const t = await new Promise<Torrent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`download did not finish within ${timeoutMs} ms`)), timeoutMs);
      client.on('error', (err) => {
        clearTimeout(timer);
        reject(err as Error);
      });
      client.add(torrent, { path: dir }, (added) => {
        const stopReannouncing = reannounceUntilConnected(added);
        const done = () => {
          stopReannouncing();
          clearTimeout(timer);
          resolve(added);
        };
        if (added.done) done();
        else added.once('done', done);
      });
    });
    const seconds = (performance.now() - started) / 1000;
    const file = t.files[0];
    if (!file) throw new Error('the torrent has no file');
    return { data: await readFile(join(dir, file.path)), wireTypes: t.wires.map((w) => w.type), infoHash: t.infoHash, urlList: t.urlList, seconds };
  } finally {
    await new Promise<void>((resolve) => client.destroy(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
}

/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses prom-client's exposition (no escapes in our label values). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples of `name` whose labels include `match`. */
export function sumSamples(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/**
 * A test instance that can be stopped and started again on the same storage and database
 * (startTestInstance's stop() also drops them).
 */
export async function startRestartableInstance(options: { overrides?: Record<string, unknown> } = {}) {
  const { config, cleanup } = await testConfig({ db: 'postgres', overrides: options.overrides });
  let instance: Instance = await createInstance(config, { logger: createLogger({ level: config.log.level }) });
  await instance.start();
  const url = instance.urls.base;
  let token = '';

  async function login(): Promise<string> {
    const client = (await (await fetch(`${url}/api/v1/oauth-clients/local`)).json()) as { client_id: string; client_secret: string };
    const res = await fetch(`${url}/api/v1/users/token`, {
      method: 'POST',
      body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password: ROOT_PASSWORD }),
    });
    if (!res.ok) throw new Error(`login: ${res.status}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  token = await login();

  return {
    get instance() {
      return instance;
    },
    /** the root user's bearer token */
    get token() {
      return token;
    },
    config,
    url,
    get prisma(): Prisma {
      return instance.prisma;
    },
    /** with the root token unless the request carries its own Authorization */
    async json<T>(path: string, init: RequestInit = {}): Promise<T> {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
      const res = await fetch(`${url}${path}`, { ...init, headers });
      const text = await res.text();
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} → ${res.status}: ${text}`);
      return JSON.parse(text) as T;
    },
    async metrics(): Promise<string> {
      return (await fetch(`${url}/metrics`)).text();
    },
    async upload(file: string, name: string): Promise<{ uuid: string; id: number }> {
      const form = new FormData();
      form.append('name', name);
      form.append('channelId', '1');
      form.append('videofile', new Blob([readFileSync(file)]), basename(file));
      const res = await fetch(`${url}/api/v1/videos/upload`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`upload: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { video: { uuid: string; id: number } }).video;
    },
    async waitForPublished(uuid: string) {
      return waitFor(
        `video ${uuid} published`,
        async () => {
          const res = await fetch(`${url}/api/v1/videos/${uuid}`);
          const v = (await res.json()) as PublishedVideo;
          if (v.state.id === 7) throw new Error('transcoding failed');
          return v.state.id === 1 && v.streamingPlaylists.length > 0 ? v : undefined;
        },
        90_000,
        100,
      );
    },
    /** Waits until our seeder seeds every one of these infohashes. */
    async waitForSeeding(infoHashes: string[]): Promise<void> {
      await waitFor('the seeder to seed the files', async () => (infoHashes.every((h) => instance.seeding.seeder?.isSeeding(h)) ? true : undefined), 20_000, 50);
    },
    async restart(): Promise<void> {
      await instance.stop();
      instance = await createInstance(config, { logger: createLogger({ level: config.log.level }) });
      await instance.start();
      token = await login();
    },
    async stop(): Promise<void> {
      await instance.stop();
      await cleanup();
    },
  };
}

export interface PublishedVideo {
  id: number;
  uuid: string;
  state: { id: number };
  streamingPlaylists: { files: { fileUrl: string; torrentUrl: string; magnetUri: string; size: number; resolution: { id: number } }[] }[];
}

/**
 * Makes a remote video (origin `host`) and puts a "mirrored copy" of `sourceFile` under the
 * redundancy folder, where the redundancy engine puts real ones: the HTTP side of a mirror,
 * without the engine (no VideoRedundancy row, so it is not seeded). Returns its URL path and size.
 */
export async function fakeMirrorCopy(prisma: Prisma, redundancyDir: string, host: string, sourceFile: string) {
  const uuid = crypto.randomUUID();
  const actorUrl = `https://${host}/video-channels/origin_channel_${uuid.slice(0, 8)}`;
  const accountActor = await prisma.actor.create({
    data: { type: 'Person', preferredUsername: `origin_${uuid.slice(0, 8)}`, host, url: `https://${host}/accounts/origin_${uuid.slice(0, 8)}`, inboxUrl: `https://${host}/inbox` },
  });
  const account = await prisma.account.create({ data: { name: accountActor.preferredUsername, displayName: 'origin', actorId: accountActor.id } });
  const channelActor = await prisma.actor.create({
    data: { type: 'Group', preferredUsername: `origin_channel_${uuid.slice(0, 8)}`, host, url: actorUrl, inboxUrl: `https://${host}/inbox` },
  });
  const channel = await prisma.videoChannel.create({ data: { name: channelActor.preferredUsername, displayName: 'origin channel', accountId: account.id, actorId: channelActor.id } });
  await prisma.video.create({ data: { uuid, name: 'mirrored video', url: `https://${host}/videos/watch/${uuid}`, isLocal: false, state: 1, channelId: channel.id } });
  const filename = `${uuid}-240-fragmented.mp4`;
  // where the redundancy engine puts a copy (served as /static/redundancy/hls/<uuid>/)
  const dir = join(redundancyDir, 'hls', uuid);
  await mkdir(dir, { recursive: true });
  await copyFile(sourceFile, join(dir, filename));
  const size = (await readFile(sourceFile)).length;
  return { uuid, path: `/static/redundancy/hls/${uuid}/${filename}`, size };
}
