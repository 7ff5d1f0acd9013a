import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { fail, ok, type Result } from '../lib/result.js';
import type { Ffmpeg } from '../transcoding/index.js';
import { VideoState } from '../videos/constants.js';
import { removeAll } from '../videos/files.js';
import { effectiveLatencyMode, latencyProfile } from './latency.js';
import { startLiveMuxer, type LiveMuxer, type LiveMuxerSettings } from './live-muxer.js';
import type { HotFiles, LiveRecord, LiveStore } from './live-ports.js';
import type { PublishAuthority, PublishRefusal, PublishRequest, PublishSink } from './rtmp-server.js';

/** PeerTube's LiveVideoError. */
export const LiveVideoError = { BAD_SOCKET_HEALTH: 1, DURATION_EXCEEDED: 2, QUOTA_EXCEEDED: 3, FFMPEG_ERROR: 4, BLACKLISTED: 5 } as const;

/** Makes a VOD of a session's recording, through the upload path (probe, store, transcode job). */
export interface ReplayMaker {
  create(input: { live: LiveRecord; userId: number; name: string; privacy: number; file: { path: string; size: number } }): Promise<Result<{ id: number; uuid: string }, { type: string; message: string }>>;
}

/** What the runtime reports (metrics). */
export interface LiveObserver {
  refused(reason: string): void;
  sessionEnded(outcome: string): void;
  segment(): void;
}

export interface LiveRuntimeSettings {
  maxDurationMs: number | null;
  maxInstanceLives: number;
  maxUserLives: number;
  allowReplay: boolean;
  latencySettingEnabled: boolean;
  muxer: LiveMuxerSettings;
}

interface Running {
  live: LiveRecord;
  sessionId: number;
  startedAt: Date;
  muxer: LiveMuxer;
  request: PublishRequest;
  error: number | null;
  /** no replay for this session (its live is being deleted) */
  noReplay: boolean;
  ending: Promise<void> | null;
}

/**
 * The lives being published: decides each RTMP publish (known key, not already live, not ended,
 * limits), runs a session per publish (HLS muxer, session row, state changes federated as Updates),
 * and ends it when the publisher goes: a normal live ends (state 5), a permanent one waits again
 * (state 4); with a replay, the session's recording becomes a VOD through the upload path.
 */
export function createLiveRuntime(deps: {
  store: LiveStore;
  ffmpeg: Ffmpeg;
  /** the live's HLS folder (public or private placement, by privacy) */
  hlsDir(uuid: string, privacy: number): string;
  /** where session recordings wait to become replays */
  recordingsDir: string;
  replays: ReplayMaker;
  /** a local video changed (its followers get an Update) */
  updated(videoId: number): Promise<void>;
  clock: Clock;
  logger: Logger;
  settings: LiveRuntimeSettings;
  /** the media pipeline of a session (default: ffmpeg HLS muxing; tests pass a stand-in) */
  startMuxer?: typeof startLiveMuxer;
  observe?: LiveObserver;
  /** viewers are answered from memory (see HotFiles) */
  hot?: HotFiles;
}) {
  const log = deps.logger.child({ component: 'live' });
  const running = new Map<number, Running>();
  /** videos whose publish is being checked or set up (a second publisher is refused meanwhile) */
  const claimed = new Set<number>();
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  const settled = new Set<Promise<void>>();

  const refuse = (type: PublishRefusal['type'], message: string) => {
    deps.observe?.refused(type);
    return fail<PublishRefusal>({ type, message });
  };

  async function publish(request: PublishRequest): Promise<Result<PublishSink, PublishRefusal>> {
    if (stopping) return refuse('disabled', 'the server is stopping');
    const live = await deps.store.findByStreamKey(request.streamKey);
    if (!live) return refuse('unknown-key', 'unknown stream key');
    if (running.has(live.videoId) || claimed.has(live.videoId)) return refuse('already-live', `live ${live.uuid} already has a publisher`);
    if (live.state === VideoState.LIVE_ENDED && !live.permanentLive) return refuse('already-live', `live ${live.uuid} has ended`);
    const { maxInstanceLives, maxUserLives } = deps.settings;
    if (maxInstanceLives >= 0 && running.size + claimed.size >= maxInstanceLives) return refuse('instance-limit', `the instance runs its maximum of ${maxInstanceLives} lives`);
    const userRunning = [...running.values()].filter((r) => r.live.userId === live.userId).length;
    if (maxUserLives >= 0 && userRunning >= maxUserLives) return refuse('user-limit', `the user runs their maximum of ${maxUserLives} lives`);
    claimed.add(live.videoId);
    try {
      const startedAt = deps.clock.now();
      const saveReplay = live.saveReplay && deps.settings.allowReplay;
      const session = await deps.store.startSession(live.videoId, startedAt, saveReplay);
      const latency = latencyProfile(effectiveLatencyMode(live.latencyMode, deps.settings.latencySettingEnabled));
      let muxer: LiveMuxer;
      try {
        muxer = await (deps.startMuxer ?? startLiveMuxer)({
          ffmpeg: deps.ffmpeg,
          dir: deps.hlsDir(live.uuid, live.privacy),
          replayPath: saveReplay ? join(deps.recordingsDir, `${live.uuid}-${session.id}.flv`) : null,
          settings: deps.settings.muxer,
          latency,
          startNumber: Math.floor(startedAt.getTime() / 1000),
          logger: log.child({ video: live.uuid, session: session.id }),
          onSegment: () => deps.observe?.segment(),
          ...(deps.hot ? { hot: deps.hot } : {}),
          onFailure: () => {
            const current = running.get(live.videoId);
            if (!current || current.sessionId !== session.id) return;
            current.error = LiveVideoError.FFMPEG_ERROR;
            current.request.close();
          },
        });
      } catch (err) {
        // nothing runs: the session is closed at once, the live keeps its state
        log.error({ err, video: live.uuid }, 'cannot start the live muxer');
        await deps.store.endSession(session.id, deps.clock.now(), LiveVideoError.FFMPEG_ERROR);
        return refuse('error', 'the live could not be started');
      }
      const entry: Running = { live, sessionId: session.id, startedAt, muxer, request, error: null, noReplay: false, ending: null };
      running.set(live.videoId, entry);
      try {
        await deps.store.setState(live.videoId, VideoState.PUBLISHED);
      } catch (err) {
        log.error({ err, video: live.uuid }, 'cannot mark the live as published');
        await endSession(entry);
        return refuse('error', 'the live could not be started');
      }
      log.info({ video: live.uuid, session: session.id, ip: request.ip }, 'live started');
      void deps.updated(live.videoId).catch((err: unknown) => log.warn({ err, video: live.uuid }, 'cannot federate the live start'));
      return ok({
        tag: (tag) => muxer.tag(tag),
        end: () => void endSession(entry),
      });
    } finally {
      claimed.delete(live.videoId);
    }
  }

  function endSession(entry: Running): Promise<void> {
    if (entry.ending) return entry.ending;
    const work = (async () => {
      const { live } = entry;
      const outcome = await entry.muxer.end();
      const endedAt = deps.clock.now();
      const error = entry.error ?? (outcome.ok ? null : LiveVideoError.FFMPEG_ERROR);
      await deps.store.endSession(entry.sessionId, endedAt, error);
      deps.observe?.sessionEnded(error === null ? 'ok' : `error-${error}`);
      running.delete(live.videoId);
      await deps.store.setState(live.videoId, live.permanentLive ? VideoState.WAITING_FOR_LIVE : VideoState.LIVE_ENDED);
      log.info({ video: live.uuid, session: entry.sessionId, seconds: Math.round((endedAt.getTime() - entry.startedAt.getTime()) / 1000), error, ffmpeg: outcome.message }, 'live ended');
      await deps.updated(live.videoId).catch((err: unknown) => log.warn({ err, video: live.uuid }, 'cannot federate the live end'));
      const recording = join(deps.recordingsDir, `${live.uuid}-${entry.sessionId}.flv`);
      if (outcome.replayBytes > 0 && !stopping && !entry.noReplay) await makeReplay(entry, recording, endedAt);
      await removeAll([recording]);
    })().catch((err: unknown) => log.error({ err, video: entry.live.uuid }, 'ending the live session failed'));
    entry.ending = work;
    settled.add(work);
    void work.finally(() => settled.delete(work));
    return work;
  }

  async function makeReplay(entry: Running, path: string, endedAt: Date): Promise<void> {
    const { live } = entry;
    if (live.userId === null) return;
    const size = (await stat(path).catch(() => null))?.size ?? 0;
    if (size === 0) return;
    // a permanent live makes a VOD per session, named after its date (as PeerTube does)
    const name = live.permanentLive ? `${live.name} - ${endedAt.toISOString().slice(0, 16).replace('T', ' ')}` : live.name;
    const created = await deps.replays.create({ live, userId: live.userId, name: name.slice(0, 120), privacy: live.replayPrivacy ?? live.privacy, file: { path, size } });
    if (!created.ok) {
      log.warn({ video: live.uuid, reason: created.reason }, 'the replay could not be made');
      return;
    }
    await deps.store.setReplay(entry.sessionId, created.value.id);
    log.info({ video: live.uuid, replay: created.value.uuid }, 'live replay created');
  }

  /** Cuts a live's publisher (its video is being deleted); the session ends as usual. */
  function cut(videoId: number): Promise<void> {
    const entry = running.get(videoId);
    if (!entry) return Promise.resolve();
    entry.noReplay = true;
    entry.request.close();
    return endSession(entry);
  }

  /** Cuts sessions over max_duration (checked against the injected clock). */
  function checkDurations(): void {
    const max = deps.settings.maxDurationMs;
    if (max === null) return;
    const now = deps.clock.now().getTime();
    for (const entry of running.values()) {
      if (!entry.ending && now - entry.startedAt.getTime() > max) {
        entry.error = LiveVideoError.DURATION_EXCEEDED;
        log.info({ video: entry.live.uuid }, 'live cut: max_duration reached');
        entry.request.close();
      }
    }
  }

  const authority: PublishAuthority = { publish };

  return {
    authority,
    cut,
    checkDurations,
    /** the live being published for this video, if any */
    isRunning: (videoId: number) => running.has(videoId),
    /** the segments of a running live answered from memory now (tests) */
    hotSegments: (videoId: number) => running.get(videoId)?.muxer.hotSegments() ?? [],
    runningCount: () => running.size,
    /** the lives being published now */
    runningLives: () => [...running.values()].map((r) => ({ videoId: r.live.videoId, uuid: r.live.uuid })),
    /** every session's end and replay, awaited (tests) */
    idle: async () => {
      while (settled.size > 0) await Promise.all([...settled]);
    },
    async start(): Promise<void> {
      // sessions a previous run left open: ended now, their lives waiting (permanent) or ended
      const orphaned = await deps.store.closeOpenSessions(deps.clock.now());
      for (const videoId of orphaned) {
        const live = await deps.store.findByVideo(videoId);
        if (live) await deps.store.setState(videoId, live.permanentLive ? VideoState.WAITING_FOR_LIVE : VideoState.LIVE_ENDED);
      }
      timer = setInterval(checkDurations, 1000);
      timer.unref();
    },
    async stop(): Promise<void> {
      stopping = true;
      if (timer) clearInterval(timer);
      for (const entry of running.values()) entry.request.close();
      await Promise.all([...running.values()].map((e) => endSession(e)));
      while (settled.size > 0) await Promise.all([...settled]);
    },
  };
}

export type LiveRuntime = ReturnType<typeof createLiveRuntime>;
