import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import type { LiveMuxer } from '../../../src/live/live-muxer.js';
import type { LiveRecord, LiveSessionRecord, LiveStore } from '../../../src/live/live-ports.js';
import { createLiveRuntime, type LiveRuntimeSettings } from '../../../src/live/live-runtime.js';
import type { PublishRequest } from '../../../src/live/rtmp-server.js';
import type { Ffmpeg } from '../../../src/transcoding/index.js';

function liveRecord(videoId: number, userId: number, extra: Partial<LiveRecord> = {}): LiveRecord {
  return {
    videoId, uuid: `uuid-${videoId}`, name: `live ${videoId}`, privacy: 1, state: 4, channelId: 1, userId, streamKey: `key-${videoId}`,
    saveReplay: false, replayPrivacy: null, permanentLive: false, latencyMode: 1, description: null, category: null, licence: null, language: null, nsfw: false, tags: [],
    ...extra,
  };
}

/** The live rows in memory. */
function memoryStore(lives: LiveRecord[]) {
  const sessions: LiveSessionRecord[] = [];
  const states = new Map(lives.map((l) => [l.videoId, l.state]));
  const store: LiveStore = {
    ownsChannel: async () => true,
    create: async () => ({ id: 0 }),
    findByVideo: async (id) => {
      const live = lives.find((l) => l.videoId === id);
      return live ? { ...live, state: states.get(id)! } : null;
    },
    findByStreamKey: async (key) => {
      const live = lives.find((l) => l.streamKey === key);
      return live ? { ...live, state: states.get(live.videoId)! } : null;
    },
    update: async () => undefined,
    setState: async (id, state) => void states.set(id, state),
    countNotEnded: async () => 0,
    countByState: async () => ({}),
    startSession: async (videoId, startDate, saveReplay) => {
      sessions.push({ id: sessions.length + 1, liveVideoId: videoId, startDate, endDate: null, error: null, saveReplay, replayVideo: null });
      return { id: sessions.length };
    },
    endSession: async (id, endDate, error) => {
      Object.assign(sessions[id - 1]!, { endDate, error });
    },
    setReplay: async () => undefined,
    sessions: async (videoId) => sessions.filter((s) => s.liveVideoId === videoId),
    sessionOfReplay: async () => null,
    closeOpenSessions: async () => [],
  };
  return { store, sessions, states };
}

const stubMuxer = async () =>
  ({ tag: () => undefined, end: async () => ({ ok: true, message: null, replayBytes: 0 }), kill: async () => undefined, snapshotHashes: () => ({}) }) as unknown as LiveMuxer;

function setup(lives: LiveRecord[], settings: Partial<LiveRuntimeSettings> = {}, startMuxer: typeof stubMuxer = stubMuxer) {
  const memory = memoryStore(lives);
  const clock = createManualClock(new Date('2026-12-07T18:00:00Z'));
  const updated: number[] = [];
  const observed: string[] = [];
  const runtime = createLiveRuntime({
    store: memory.store,
    ffmpeg: {} as Ffmpeg,
    hlsDir: (uuid) => `/nowhere/${uuid}`,
    recordingsDir: '/nowhere',
    replays: { create: async () => ({ ok: false, reason: { type: 'unused', message: 'unused' } }) },
    updated: async (id) => void updated.push(id),
    clock,
    logger: createLogger({ level: 'silent' }),
    settings: { maxDurationMs: null, maxInstanceLives: 10, maxUserLives: 10, allowReplay: true, latencySettingEnabled: true, muxer: { transcoding: false, resolutions: [], alwaysOriginal: false, threads: 1 }, ...settings },
    startMuxer,
    observe: { refused: (r) => void observed.push(`refused:${r}`), sessionEnded: (o) => void observed.push(`ended:${o}`), segment: () => undefined },
  });
  let closed = 0;
  const request = (streamKey: string): PublishRequest => ({ id: 'c', streamKey, ip: '127.0.0.1', close: () => void closed++ });
  return { runtime, memory, clock, updated, observed, request, closedCount: () => closed };
}

describe('live runtime: who may publish', () => {
  it('refuses an unknown key and a second publisher on a running key, accepts the first', async () => {
    const { runtime, request, memory, updated, observed } = setup([liveRecord(1, 7)]);
    const unknown = await runtime.authority.publish(request('nope'));
    expect(unknown.ok ? null : unknown.reason.type).toBe('unknown-key');
    const first = await runtime.authority.publish(request('key-1'));
    expect(first.ok).toBe(true);
    expect(memory.states.get(1)).toBe(1);
    const second = await runtime.authority.publish(request('key-1'));
    expect(second.ok ? null : second.reason.type).toBe('already-live');
    expect(memory.sessions).toHaveLength(1);
    // the publisher goes: a normal live ends, its session closes, the change is federated
    if (first.ok) first.value.end();
    await runtime.idle();
    expect(memory.states.get(1)).toBe(5);
    expect(memory.sessions[0]!.endDate).not.toBeNull();
    expect(updated).toEqual([1, 1]);
    // an ended normal live takes no new session
    const again = await runtime.authority.publish(request('key-1'));
    expect(again.ok ? null : again.reason.message).toMatch(/ended/);
    // what metrics hear
    expect(observed).toEqual(['refused:unknown-key', 'refused:already-live', 'ended:ok', 'refused:already-live']);
  });

  it('refuses two publishes racing on one key (only one session)', async () => {
    const { runtime, request, memory } = setup([liveRecord(1, 7)]);
    const both = await Promise.all([runtime.authority.publish(request('key-1')), runtime.authority.publish(request('key-1'))]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(memory.sessions).toHaveLength(1);
  });

  it('a permanent live waits again after a session and takes the next one', async () => {
    const { runtime, request, memory } = setup([liveRecord(1, 7, { permanentLive: true })]);
    for (let i = 1; i <= 2; i++) {
      const p = await runtime.authority.publish(request('key-1'));
      expect(p.ok).toBe(true);
      if (p.ok) p.value.end();
      await runtime.idle();
      expect(memory.states.get(1)).toBe(4);
    }
    expect(memory.sessions).toHaveLength(2);
  });

  it('applies the instance and user limits to running lives', async () => {
    const { runtime, request } = setup([liveRecord(1, 7), liveRecord(2, 7), liveRecord(3, 8), liveRecord(4, 9)], { maxInstanceLives: 2, maxUserLives: 1 });
    expect((await runtime.authority.publish(request('key-1'))).ok).toBe(true);
    const sameUser = await runtime.authority.publish(request('key-2'));
    expect(sameUser.ok ? null : sameUser.reason.type).toBe('user-limit');
    expect((await runtime.authority.publish(request('key-3'))).ok).toBe(true);
    const third = await runtime.authority.publish(request('key-4'));
    expect(third.ok ? null : third.reason.type).toBe('instance-limit');
  });

  it('cuts a session past max_duration, by the injected clock, with PeerTube error 2', async () => {
    const { runtime, request, clock, closedCount, memory } = setup([liveRecord(1, 7)], { maxDurationMs: 60_000 });
    const p = await runtime.authority.publish(request('key-1'));
    runtime.checkDurations();
    expect(closedCount()).toBe(0);
    clock.advance(61_000);
    runtime.checkDurations();
    expect(closedCount()).toBe(1);
    if (p.ok) p.value.end();
    await runtime.idle();
    expect(memory.sessions[0]!.error).toBe(2);
  });

  it('a muxer that cannot start: the publish is refused and its session closed with error 4', async () => {
    const { runtime, request, memory } = setup([liveRecord(1, 7)], {}, async () => {
      throw new Error('disk full');
    });
    const p = await runtime.authority.publish(request('key-1'));
    expect(p.ok ? null : p.reason.type).toBe('error');
    expect(memory.sessions[0]).toMatchObject({ error: 4 });
    expect(memory.sessions[0]!.endDate).not.toBeNull();
    expect(memory.states.get(1)).toBe(4);
    expect(runtime.isRunning(1)).toBe(false);
  });
});
