import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { INBOX_JOB } from '../../src/federation/inbox/process-activity.js';
import { createManualClock } from '../../src/lib/clock.js';
import type { TestDatabaseKind } from './database.js';
import { startTestInstance, type TestInstance } from './instance.js';
import { SESSION_2_DIR, startPeerTubeStandIn, type PeerTubeStandIn } from './peertube-stand-in.js';
import { waitFor } from './ports.js';

export { PEERTUBE_BASE, PEERTUBE_VIDEO_UUID, SESSION_2_DIR } from './peertube-stand-in.js';

/** Our video in the capture (mirrortube's upload at 11:19:25, owner root, channel root_channel). */
export const LOCAL_VIDEO_UUID = '8fffed66-eb54-40dc-91c4-f4f4a3c92d5b';
/** Our public address in the capture. */
export const MIRRORTUBE_BASE = 'http://localhost:19500';

/** One line of session-2/to-mirrortube.jsonl. */
export interface CapturedExchange {
  seq: number;
  time: string;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestRawHeaders: string[];
  requestBody: string;
  status: number;
  responseBody?: string;
}

let cached: CapturedExchange[] | undefined;
/** Every exchange PeerTube (and the operator) made with mirrortube in session 2, by seq. */
export function loadSession2(): CapturedExchange[] {
  cached ??= readFileSync(join(SESSION_2_DIR, 'to-mirrortube.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CapturedExchange)
    .sort((a, b) => a.seq - b.seq);
  return cached;
}

/** The inbox POSTs of the capture (PeerTube's signed activities), in order. */
export const session2InboxPosts = (): CapturedExchange[] => loadSession2().filter((e) => e.method === 'POST' && /\/inbox$/.test(e.url));

export const exchange = (seq: number): CapturedExchange => {
  const found = loadSession2().find((e) => e.seq === seq);
  if (!found) throw new Error(`no exchange ${seq} in session 2`);
  return found;
};

/** The parsed activity of an inbox POST. */
export const activityOf = (seq: number): Record<string, unknown> => JSON.parse(exchange(seq).requestBody) as Record<string, unknown>;

export interface PostedResult {
  seq: number;
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** An operator step run before the inbox POST `beforeSeq` (the capture's REST calls, made with our own token). */
export interface OperatorStep {
  beforeSeq: number;
  /** the capture's time of the step */
  time: string;
  run(replay: Session2Replay): Promise<void>;
}

export interface Session2Replay {
  instance: TestInstance;
  peertube: PeerTubeStandIn;
  clock: ReturnType<typeof createManualClock>;
  /** results of the inbox POSTs made so far, by seq */
  results: Map<number, PostedResult>;
  /** posts one captured inbox request (raw headers and body, as sent) with the clock at its `time`, then settles */
  post(seq: number, options?: { settle?: boolean; at?: Date }): Promise<PostedResult>;
  /** runs the operator steps and posts every captured inbox request up to `seq` (included) not posted yet */
  replayUntil(seq: number): Promise<PostedResult[]>;
  /** waits until no inbox activity is left to process now (bounded) */
  settle(): Promise<void>;
  /** waits for a delivery to PeerTube's stand-in that matches (bounded) */
  waitForDelivery(what: string, match: (d: { inbox: string; activity: Record<string, unknown> }) => boolean): Promise<{ inbox: string; activity: Record<string, unknown> }>;
  /** the stored inbox row of a captured activity id (latest first) */
  inboxRows(activityId: string): Promise<{ id: number; state: string; error: string | null }[]>;
  stop(): Promise<void>;
}

/** Creates our local video of the capture: rows only (see createCapturedLocalVideo). */
export const DEFAULT_OPERATOR_STEPS: OperatorStep[] = [
  {
    // seq 5: the operator makes mirrortube follow PeerTube; our Follow gets row id 1, so its id is
    // the capture's http://localhost:19500/accounts/peertube/follows/1 that PeerTube accepts at seq 10
    beforeSeq: 10,
    time: '2026-12-07T11:17:56.448Z',
    async run(replay) {
      const res = await replay.instance.api('/api/v1/server/following', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hosts: ['localhost:9000'] }),
      });
      if (res.status !== 204) throw new Error(`follow localhost:9000: ${res.status} ${await res.text()}`);
      await replay.waitForDelivery('our Follow', (d) => d.activity.type === 'Follow');
    },
  },
  {
    // seq 22: the upload of 8fffed66… on mirrortube
    beforeSeq: 23,
    time: '2026-12-07T11:19:25.891Z',
    run: async (replay) => {
      await createCapturedLocalVideo(replay.instance);
    },
  },
];

/**
 * Seq 20, optional (not in DEFAULT_OPERATOR_STEPS: it lets the redundancy engine plan mirrors of
 * PeerTube's video, whose fragmented MP4s the capture does not hold): the operator allows
 * redundancy of localhost:9000. Add it with `operatorSteps: [...DEFAULT_OPERATOR_STEPS, ALLOW_REDUNDANCY_STEP]`.
 */
export const ALLOW_REDUNDANCY_STEP: OperatorStep = {
  beforeSeq: 21,
  time: '2026-12-07T11:19:23.622Z',
  async run(replay) {
    const res = await replay.instance.api('/api/v1/server/redundancy/localhost:9000', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redundancyAllowed: true }),
    });
    if (res.status !== 204) throw new Error(`allow redundancy of localhost:9000: ${res.status} ${await res.text()}`);
  },
};

/**
 * Our published video `8fffed66…` (owner root, channel root_channel), inserted as rows: the video,
 * its web videos and HLS playlist at 240p and 360p (25 fps, as the capture's), with no bytes on disk
 * (the replay never downloads them). Enough for every activity of the capture that names it
 * (CacheFile, Like, View, Note) to find it as it found the real one.
 */
export async function createCapturedLocalVideo(instance: TestInstance, uuid = LOCAL_VIDEO_UUID): Promise<{ id: number; url: string }> {
  const prisma = instance.instance.prisma;
  const channel = await prisma.videoChannel.findFirstOrThrow({ where: { name: 'root_channel' } });
  const url = instance.instance.urls.video(uuid);
  const now = instance.instance.clock.now();
  const video = await prisma.video.create({
    data: {
      uuid,
      url,
      name: 'mirrortube capture video',
      state: 1,
      privacy: 1,
      duration: 8,
      isLocal: true,
      channelId: channel.id,
      publishedAt: now,
      createdAt: now,
    },
  });
  const playlist = await prisma.videoStreamingPlaylist.create({
    data: { videoId: video.id, type: 1, playlistFilename: 'master.m3u8', segmentsSha256Filename: 'segments-sha256.json' },
  });
  for (const [resolution, width] of [
    [240, 426],
    [360, 640],
  ] as const) {
    await prisma.videoFile.create({
      data: { videoId: video.id, resolution, width, height: resolution, fps: 25, size: 100_000n, extname: '.mp4', filename: `${uuid}-${resolution}.mp4`, torrentFilename: `${uuid}-${resolution}.torrent` },
    });
    await prisma.videoFile.create({
      data: {
        streamingPlaylistId: playlist.id,
        resolution,
        width,
        height: resolution,
        fps: 25,
        size: 100_000n,
        extname: '.mp4',
        filename: `${uuid}-${resolution}-fragmented.mp4`,
        playlistFilename: `${uuid}-${resolution}.m3u8`,
        torrentFilename: `${uuid}-${resolution}-hls.torrent`,
      },
    });
  }
  return { id: video.id, url };
}

function postRaw(port: number, entry: CapturedExchange): Promise<PostedResult> {
  const path = new URL(entry.url, MIRRORTUBE_BASE).pathname + new URL(entry.url, MIRRORTUBE_BASE).search;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: entry.method, path, headers: entry.requestRawHeaders, setHost: false, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          req.destroy();
          resolve({ seq: entry.seq, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(entry.requestBody);
  });
}

/**
 * Session 2 replayed into one of our instances: public address `localhost:19500` (listening on a
 * free 127.0.0.1 port), clock set to each request's captured time, PeerTube's documents served by
 * a stand-in (peertube-stand-in.ts) that our outbound requests reach through an injected lookup,
 * the captured inbox requests posted as sent (raw headers: Signature, Date, Digest, Host).
 */
export async function startSession2Replay(options: { db: TestDatabaseKind; overrides?: Record<string, unknown>; operatorSteps?: OperatorStep[] }): Promise<Session2Replay> {
  const entries = loadSession2();
  const clock = createManualClock(new Date(entries[0]!.time));
  const peertube = await startPeerTubeStandIn(clock);
  let instance: TestInstance;
  try {
    instance = await startTestInstance({
      db: options.db,
      clock,
      lookup: peertube.lookup,
      overrides: { ...options.overrides, webserver: { https: false, hostname: 'localhost', port: 19500 } },
    });
  } catch (err) {
    await peertube.stop();
    throw err;
  }
  const prisma = instance.instance.prisma;
  const steps = [...(options.operatorSteps ?? DEFAULT_OPERATOR_STEPS)].sort((a, b) => a.beforeSeq - b.beforeSeq);
  const results = new Map<number, PostedResult>();
  let cursor = 0;

  const replay: Session2Replay = {
    instance,
    peertube,
    clock,
    results,

    async settle() {
      await waitFor(
        'inbox activities to be processed',
        async () => {
          const now = clock.now();
          const open = await prisma.job.count({ where: { kind: INBOX_JOB, OR: [{ state: 'active' }, { state: 'pending', runAt: { lte: now } }] } });
          return open === 0 ? true : undefined;
        },
        60_000,
        50,
      );
    },

    async post(seq, postOptions = {}) {
      const entry = exchange(seq);
      clock.set(postOptions.at ?? new Date(entry.time));
      const result = await postRaw(instance.instance.port, entry);
      results.set(seq, result);
      if (postOptions.settle !== false) await replay.settle();
      return result;
    },

    async replayUntil(seq) {
      const posted: PostedResult[] = [];
      for (const entry of session2InboxPosts()) {
        if (entry.seq > seq) break;
        if (entry.seq <= cursor) continue;
        while (steps.length > 0 && steps[0]!.beforeSeq <= entry.seq) {
          const step = steps.shift()!;
          clock.set(new Date(step.time));
          await step.run(replay);
        }
        posted.push(await replay.post(entry.seq));
        cursor = entry.seq;
      }
      cursor = Math.max(cursor, seq);
      return posted;
    },

    waitForDelivery: (what, match) =>
      waitFor(
        `a delivery to PeerTube: ${what}`,
        async () => peertube.deliveries().find(match),
        60_000,
        50,
      ),

    inboxRows: async (activityId) =>
      prisma.inboxActivity.findMany({ where: { activityId }, orderBy: { id: 'desc' }, select: { id: true, state: true, error: true } }),

    async stop() {
      await instance.stop();
      await peertube.stop();
    },
  };
  return replay;
}
