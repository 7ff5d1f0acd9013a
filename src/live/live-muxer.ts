import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../lib/logger.js';
import type { Ffmpeg, RunResult } from '../transcoding/index.js';
import type { LatencyProfile } from './latency.js';
import { buildLiveHlsArgs, planLiveRenditions } from './live-hls-args.js';
import { flvHeader, readStreamMetadata, type FlvTag } from './rtmp-server.js';
import type { HotFiles } from './live-ports.js';
import { createSegmentHashes } from './segment-hashes.js';

export interface LiveMuxerSettings {
  transcoding: boolean;
  resolutions: number[];
  alwaysOriginal: boolean;
  threads: number;
}

export interface LiveMuxerOutcome {
  /** ffmpeg produced the HLS and ended cleanly */
  ok: boolean;
  message: string | null;
  /** bytes of the session recorded for its replay (0: none) */
  replayBytes: number;
}

/** bytes of tags held for ffmpeg before it connects; beyond it the oldest are dropped */
const FEED_BACKLOG_MAX = 32 * 1024 * 1024;
/** how long ffmpeg may take to finish its last segments after the stream ends */
const FINISH_TIMEOUT_MS = 20_000;

/**
 * One session's media: the published FLV tags go to ffmpeg over a loopback TCP connection it opens
 * (ffmpeg's stdin belongs to its watchdog), ffmpeg writes the HLS folder, the segment hashes follow
 * the folder, and with a replay the same FLV is recorded to a file. ffmpeg starts on the first
 * keyframe, once the publisher's metadata (size, frame rate, audio) is known.
 */
export async function startLiveMuxer(deps: {
  ffmpeg: Ffmpeg;
  dir: string;
  /** where the session is recorded for its replay (null: no replay) */
  replayPath: string | null;
  settings: LiveMuxerSettings;
  latency: LatencyProfile;
  /** the session's start, epoch seconds: the first segment number */
  startNumber: number;
  logger: Logger;
  /** ffmpeg stopped while the stream goes on (the session is cut, PeerTube's error 4) */
  onFailure?: (message: string) => void;
  /** a segment landed (metrics) */
  onSegment?: () => void;
  /** viewers are answered from memory (playlists, hot segments) */
  hot?: HotFiles;
}) {
  const log = deps.logger;
  // a new session starts from an empty folder (a permanent live's previous session is gone)
  await rm(deps.dir, { recursive: true, force: true });
  await mkdir(deps.dir, { recursive: true });
  const hashes = createSegmentHashes({ dir: deps.dir, logger: log, ...(deps.onSegment ? { onSegment: () => deps.onSegment!() } : {}), ...(deps.hot ? { hot: deps.hot } : {}) });
  await hashes.start();

  const replay: WriteStream | null = deps.replayPath ? createWriteStream(deps.replayPath) : null;
  let replayBytes = 0;
  let replayHeaderWritten = false;
  replay?.on('error', (err) => log.warn({ err }, 'cannot record the live for its replay'));

  let backlog: FlvTag[] = [];
  let backlogBytes = 0;
  let metadata: ReturnType<typeof readStreamMetadata> = null;
  let sawAudio = false;
  let hasAudio = true;
  let feed: Socket | null = null;
  let feedServer: Server | null = null;
  let ffmpegRun: Promise<RunResult> | null = null;
  const abort = new AbortController();
  let ended = false;

  function record(tag: FlvTag): void {
    if (!replay) return;
    if (!replayHeaderWritten) {
      replay.write(flvHeader(true));
      replayHeaderWritten = true;
      replayBytes += 13;
    }
    replay.write(tag.bytes);
    replayBytes += tag.bytes.length;
  }

  async function startFfmpeg(): Promise<void> {
    hasAudio = metadata?.hasAudio ?? sawAudio;
    feedServer = createServer((socket) => {
      if (feed || ended) {
        socket.destroy();
        return;
      }
      feed = socket;
      socket.on('error', () => undefined);
      socket.write(flvHeader(hasAudio));
      for (const tag of backlog) if (hasAudio || tag.type !== 8) socket.write(tag.bytes);
      backlog = [];
      backlogBytes = 0;
      feedServer?.close();
    });
    await new Promise<void>((resolve, reject) => {
      feedServer!.once('error', reject);
      feedServer!.listen(0, '127.0.0.1', () => resolve());
    });
    const address = feedServer.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const renditions = planLiveRenditions({ height: metadata?.height ?? null, fps: metadata?.fps ?? null }, deps.settings);
    const args = buildLiveHlsArgs({
      inputUrl: `tcp://127.0.0.1:${port}`,
      outputDir: deps.dir,
      renditions,
      hasAudio,
      latency: deps.latency,
      startNumber: deps.startNumber,
      threads: deps.settings.threads,
    });
    log.info({ renditions: renditions.map((r) => r.height ?? 'copy'), hasAudio, segmentSeconds: deps.latency.segmentSeconds }, 'live muxing started');
    ffmpegRun = deps.ffmpeg.runFfmpeg(args, { signal: abort.signal });
    void ffmpegRun.then(async (result) => {
      if (!result.ok && !ended) {
        log.warn({ reason: result.reason }, 'live ffmpeg stopped before the stream ended');
        deps.onFailure?.(result.reason.message);
      }
      await hashes.sync();
    });
  }

  let starting: Promise<void> | null = null;

  return {
    /** a tag of the published stream */
    tag(tag: FlvTag): void {
      if (ended) return;
      record(tag);
      if (tag.flags === 5) metadata = readStreamMetadata(tag) ?? metadata;
      if (tag.type === 8) sawAudio = true;
      if (feed) {
        if (hasAudio || tag.type !== 8) feed.write(tag.bytes);
        return;
      }
      backlog.push(tag);
      backlogBytes += tag.bytes.length;
      while (backlogBytes > FEED_BACKLOG_MAX && backlog.length > 1) backlogBytes -= backlog.shift()!.bytes.length;
      if (!starting && tag.flags === 3) {
        starting = startFfmpeg().catch((err: unknown) => log.error({ err }, 'cannot start the live ffmpeg'));
      }
    },

    /** The stream ended: ffmpeg finishes its last segment and exits, hashes are final, the recording closed. */
    async end(): Promise<LiveMuxerOutcome> {
      ended = true;
      await starting;
      let ok = ffmpegRun !== null;
      let message: string | null = ffmpegRun ? null : 'no keyframe was received';
      if (ffmpegRun) {
        const current: Socket | null = feed;
        if (current) (current as Socket).end();
        else feedServer?.close();
        const timer = setTimeout(() => abort.abort(), FINISH_TIMEOUT_MS);
        const result = await ffmpegRun;
        clearTimeout(timer);
        if (!result.ok) {
          ok = false;
          message = result.reason.message;
        }
      }
      await hashes.stop();
      if (replay) await new Promise<void>((resolve) => replay.end(() => resolve()));
      return { ok, message, replayBytes };
    },

    /** Cut at once (shutdown): ffmpeg is killed. */
    async kill(): Promise<void> {
      ended = true;
      abort.abort();
      feed?.destroy();
      feedServer?.close();
      await ffmpegRun;
      await hashes.stop();
      replay?.destroy();
    },

    snapshotHashes: () => hashes.snapshot(),
    hotSegments: () => hashes.hotSegments(),
  };
}

export type LiveMuxer = Awaited<ReturnType<typeof startLiveMuxer>>;

/** The files a live folder holds now (tests, cleanup). */
export async function listLiveFolder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

export const liveFile = (dir: string, name: string) => join(dir, name);
