import { randomUUID } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import { fail, ok, type Result } from '../lib/result.js';
import { VideoPrivacy } from '../videos/constants.js';
import { toShortUuid } from '../videos/short-uuid.js';
import { effectiveLatencyMode } from './latency.js';
import type { LiveRecord, LiveSessionRecord, LiveSettingsChange, LiveStore } from './live-ports.js';

export type LiveRefusal =
  | { type: 'live_not_enabled'; message: string }
  | { type: 'live_not_allowing_replay'; message: string }
  | { type: 'max_instance_lives_limit_reached'; message: string }
  | { type: 'max_user_lives_limit_reached'; message: string }
  | { type: 'not-your-channel'; message: string }
  | { type: 'not-found'; message: string }
  | { type: 'not-yours'; message: string }
  | { type: 'live-running'; message: string };

export interface LiveCreation {
  channelId: number;
  name: string;
  privacy?: number | undefined;
  description?: string | null | undefined;
  support?: string | null | undefined;
  category?: number | null | undefined;
  licence?: number | null | undefined;
  language?: string | null | undefined;
  nsfw?: boolean | undefined;
  tags?: string[] | undefined;
  commentsEnabled?: boolean | undefined;
  downloadEnabled?: boolean | undefined;
  saveReplay?: boolean | undefined;
  replaySettings?: { privacy: number } | undefined;
  permanentLive?: boolean | undefined;
  latencyMode?: number | undefined;
}

export interface LiveUpdate {
  saveReplay?: boolean | undefined;
  replaySettings?: { privacy: number } | null | undefined;
  permanentLive?: boolean | undefined;
  latencyMode?: number | undefined;
}

export interface LiveServiceSettings {
  enabled: boolean;
  allowReplay: boolean;
  maxInstanceLives: number;
  maxUserLives: number;
  latencySettingEnabled: boolean;
}

/** Who asks: the owner and moderators see the stream key. */
export interface LiveViewer {
  userId: number;
  canManageAny: boolean;
}

/**
 * PeerTube's live API over the live store: creation (a video waiting for its streamer, federated
 * like any video), settings, sessions, the RTMP URL and stream key for those who may publish.
 */
export function createLiveService(deps: {
  store: LiveStore;
  clock: Clock;
  urls: InstanceUrls;
  /** a new local video (federated as Create) and a changed one (Update) */
  published(videoId: number): Promise<void>;
  updated(videoId: number): Promise<void>;
  isRunning(videoId: number): boolean;
  /** writes the live's default thumbnail and preview (`<uuid>.jpg`); null when it cannot (PeerTube requires an icon) */
  makeImages(uuid: string): Promise<string | null>;
  /** rtmp://host:port/live, null when RTMP is off */
  rtmpUrl(): string | null;
  /** rtmps://host:port/live, null when RTMPS is off */
  rtmpsUrl(): string | null;
  settings: LiveServiceSettings;
  logger: Logger;
}) {
  const { store, settings } = deps;
  const log = deps.logger.child({ component: 'live' });

  async function create(userId: number, input: LiveCreation): Promise<Result<{ id: number; uuid: string; shortUUID: string }, LiveRefusal>> {
    if (!settings.enabled) return fail({ type: 'live_not_enabled', message: 'Live is not enabled on this instance' });
    if (input.saveReplay && !settings.allowReplay) return fail({ type: 'live_not_allowing_replay', message: 'Saving live replay is not enabled on this instance' });
    if (!(await store.ownsChannel(userId, input.channelId))) return fail({ type: 'not-your-channel', message: `channel ${input.channelId} does not exist or is not one of yours` });
    if (settings.maxInstanceLives >= 0 && (await store.countNotEnded()) >= settings.maxInstanceLives) {
      return fail({ type: 'max_instance_lives_limit_reached', message: 'Cannot create this live because the max instance lives limit is reached.' });
    }
    if (settings.maxUserLives >= 0 && (await store.countNotEnded(userId)) >= settings.maxUserLives) {
      return fail({ type: 'max_user_lives_limit_reached', message: 'Cannot create this live because the max user lives limit is reached.' });
    }
    const uuid = randomUUID();
    const created = await store.create({
      uuid,
      url: deps.urls.video(uuid),
      name: input.name,
      channelId: input.channelId,
      privacy: input.privacy ?? VideoPrivacy.PUBLIC,
      description: input.description ?? null,
      support: input.support ?? null,
      category: input.category ?? null,
      licence: input.licence ?? null,
      language: input.language ?? null,
      nsfw: input.nsfw ?? false,
      tags: input.tags ?? [],
      commentsEnabled: input.commentsEnabled ?? true,
      downloadEnabled: input.downloadEnabled ?? true,
      streamKey: randomUUID(),
      saveReplay: input.saveReplay ?? false,
      replayPrivacy: input.saveReplay ? (input.replaySettings?.privacy ?? null) : null,
      permanentLive: input.permanentLive ?? false,
      latencyMode: effectiveLatencyMode(input.latencyMode ?? 1, settings.latencySettingEnabled),
      imageFilename: await deps.makeImages(uuid),
      now: deps.clock.now(),
    });
    log.info({ video: uuid, permanent: input.permanentLive ?? false, saveReplay: input.saveReplay ?? false }, 'live created');
    await deps.published(created.id).catch((err: unknown) => log.warn({ err, video: uuid }, 'cannot federate the new live'));
    return ok({ id: created.id, uuid, shortUUID: toShortUuid(uuid) });
  }

  /** PeerTube's LiveVideo: settings for all, the RTMP URL and stream key for the owner and moderators. */
  function format(live: LiveRecord, viewer: LiveViewer | null) {
    const mayPublish = viewer !== null && (viewer.userId === live.userId || viewer.canManageAny);
    return {
      ...(mayPublish ? { rtmpUrl: deps.rtmpUrl(), rtmpsUrl: deps.rtmpsUrl(), streamKey: live.streamKey } : {}),
      saveReplay: live.saveReplay,
      replaySettings: live.saveReplay ? { privacy: live.replayPrivacy ?? live.privacy } : null,
      permanentLive: live.permanentLive,
      latencyMode: live.latencyMode,
    };
  }

  async function get(videoId: number, viewer: LiveViewer | null): Promise<Result<ReturnType<typeof format>, LiveRefusal>> {
    const live = await store.findByVideo(videoId);
    if (!live) return fail({ type: 'not-found', message: 'Live video not found' });
    return ok(format(live, viewer));
  }

  async function update(videoId: number, viewer: LiveViewer, patch: LiveUpdate): Promise<Result<void, LiveRefusal>> {
    const live = await store.findByVideo(videoId);
    if (!live) return fail({ type: 'not-found', message: 'Live video not found' });
    if (viewer.userId !== live.userId && !viewer.canManageAny) return fail({ type: 'not-yours', message: 'Cannot update a live of another user' });
    if (patch.saveReplay && !settings.allowReplay) return fail({ type: 'live_not_allowing_replay', message: 'Saving live replay is not enabled on this instance' });
    if (deps.isRunning(videoId)) return fail({ type: 'live-running', message: 'Cannot update a live that is being published' });
    const change: LiveSettingsChange = {};
    if (patch.saveReplay !== undefined) change.saveReplay = patch.saveReplay;
    if (patch.replaySettings !== undefined) change.replayPrivacy = patch.replaySettings?.privacy ?? null;
    if (patch.permanentLive !== undefined) change.permanentLive = patch.permanentLive;
    if (patch.latencyMode !== undefined) change.latencyMode = effectiveLatencyMode(patch.latencyMode, settings.latencySettingEnabled);
    await store.update(videoId, change);
    await deps.updated(videoId).catch((err: unknown) => log.warn({ err, video: live.uuid }, 'cannot federate the live update'));
    return ok(undefined);
  }

  const formatSession = (s: LiveSessionRecord) => ({
    id: s.id,
    startDate: s.startDate.toISOString(),
    endDate: s.endDate?.toISOString() ?? null,
    error: s.error,
    saveReplay: s.saveReplay,
    replayVideo: s.replayVideo ? { id: s.replayVideo.id, uuid: s.replayVideo.uuid, shortUUID: toShortUuid(s.replayVideo.uuid) } : null,
  });

  async function sessions(videoId: number, viewer: LiveViewer): Promise<Result<{ total: number; data: ReturnType<typeof formatSession>[] }, LiveRefusal>> {
    const live = await store.findByVideo(videoId);
    if (!live) return fail({ type: 'not-found', message: 'Live video not found' });
    if (viewer.userId !== live.userId && !viewer.canManageAny) return fail({ type: 'not-yours', message: 'Cannot list the sessions of a live of another user' });
    const rows = await store.sessions(videoId);
    return ok({ total: rows.length, data: rows.map(formatSession) });
  }

  async function sessionOfReplay(videoId: number): Promise<Result<ReturnType<typeof formatSession>, LiveRefusal>> {
    const session = await store.sessionOfReplay(videoId);
    if (!session) return fail({ type: 'not-found', message: 'This video is not the replay of a live session' });
    return ok(formatSession(session));
  }

  return { create, get, update, sessions, sessionOfReplay };
}

export type LiveService = ReturnType<typeof createLiveService>;
