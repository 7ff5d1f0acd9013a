import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { addWatchPoint, hasEnoughWatchTime, MAX_WATCH_SECTIONS, watchTimeOf } from '../../../src/views/view-rules.js';
import { createViewerCounters } from '../../../src/views/viewer-counters.js';
import { createViewsService, type ViewsSettings } from '../../../src/views/views-service.js';
import { memoryViewCounts, memoryViewerSessions } from './fakes.js';

const REMOTE = { id: 2, uuid: '8fffed66-eb54-40dc-91c4-f4f4a3c92d5b', url: 'http://localhost:9000/videos/watch/8fffed66', isLocal: false, isLive: false, durationSeconds: 8 };
const LOCAL = { id: 7, uuid: '4200905f-881b-413b-b1c0-dbb162bd11e8', url: 'http://us.example/videos/watch/4200905f', isLocal: true, isLive: false, durationSeconds: 60 };
const HOUR = 3600_000;

function setup(overrides: Partial<ViewsSettings> = {}, start = new Date('2026-12-07T11:21:57.492Z')) {
  const clock = createManualClock(start);
  const sessions = memoryViewerSessions();
  const counts = memoryViewCounts([REMOTE, LOCAL]);
  const sent: { kind: 'ping' | 'view' | 'count'; videoId: number; viewerId?: string; expires?: string; count?: number; at: string }[] = [];
  const localCounted: number[] = [];
  const service = createViewsService({
    sessions,
    counts,
    counters: createViewerCounters({ clock }),
    federation: {
      sendViewerPing: ({ videoId, viewerId, expires }) => {
        sent.push({ kind: 'ping', videoId, viewerId, expires: expires.toISOString(), at: clock.now().toISOString() });
        return Promise.resolve();
      },
      sendView: ({ videoId }) => {
        sent.push({ kind: 'view', videoId, at: clock.now().toISOString() });
        return Promise.resolve();
      },
      sendViewersCount: ({ videoId, count, expires }) => {
        sent.push({ kind: 'count', videoId, count, expires: expires.toISOString(), at: clock.now().toISOString() });
        return Promise.resolve();
      },
    },
    clock,
    logger: createLogger({ level: 'silent' }),
    settings: { viewExpirationMs: HOUR, countViewAfterMs: 10_000, trustViewerSessionId: true, remoteMaxAgeMs: 30 * 24 * HOUR, salt: 'salt', ...overrides },
    onLocalViewCounted: (id) => {
      localCounted.push(id);
      return Promise.resolve();
    },
  });
  const report = (video: typeof REMOTE, currentTime: number, extra: { sessionId?: string; ip?: string; viewEvent?: 'seek' } = {}) =>
    service.processLocalView({ video, currentTime, ip: extra.ip ?? '10.0.0.1', sessionId: extra.sessionId, viewEvent: extra.viewEvent });
  return { clock, sessions, counts, sent, localCounted, service, report };
}

describe('watch sections (PeerTube VideoViewerStats)', () => {
  it('extends the last section, opens one on a seek or a time before its start', () => {
    let s = addWatchPoint([], 0)!;
    s = addWatchPoint(s, 4)!;
    expect(s).toEqual([{ start: 0, end: 4 }]);
    s = addWatchPoint(s, 20, 'seek')!;
    s = addWatchPoint(s, 25)!;
    s = addWatchPoint(s, 3)!;
    expect(s).toEqual([{ start: 0, end: 4 }, { start: 20, end: 25 }, { start: 3, end: 3 }]);
    expect(watchTimeOf(s)).toBe(9);
  });

  it('ignores reports past the section limit', () => {
    const full = Array.from({ length: MAX_WATCH_SECTIONS }, (_, i) => ({ start: i, end: i }));
    expect(addWatchPoint(full, 500, 'seek')).toBeNull();
  });

  it.each([
    // duration, watched, live, counted
    [60, 9, false, false],
    [60, 10, false, true],
    [8, 4, false, false], // exactly half of a short video is not enough
    [8, 5, false, true],
    [0, 10, true, true],
    [0, 9, true, false],
    [8, 0, false, false],
  ])('duration %ds watched %ds (live %s): counted %s', (durationSeconds, watchTimeSeconds, isLive, counted) => {
    expect(hasEnoughWatchTime({ durationSeconds, watchTimeSeconds, isLive, countViewAfterMs: 10_000 })).toBe(counted);
  });
});

describe('views service', () => {
  it('replays session-2 step 4: one counted view at currentTime 5, viewer pings at the first report and 90 s later', async () => {
    const t = setup();
    // 9 reports, session abc, currentTime 0..8 about every 4 s (11:21:57.5 → 11:22:29.9)
    const results = [];
    for (let time = 0; time <= 8; time++) {
      results.push((await t.report(REMOTE, time, { sessionId: 'abc' })).counted);
      t.clock.advance(4050);
    }
    expect(results).toEqual([false, false, false, false, false, true, false, false, false]);
    expect(t.sent.filter((s) => s.kind === 'view')).toHaveLength(1);
    // the view went out at the report with currentTime 5
    expect(t.sent.find((s) => s.kind === 'view')!.at).toBe(new Date(Date.parse('2026-12-07T11:21:57.492Z') + 5 * 4050).toISOString());
    const pings = t.sent.filter((s) => s.kind === 'ping');
    expect(pings).toEqual([{ kind: 'ping', videoId: 2, viewerId: `abc-${REMOTE.uuid}`, expires: '2026-12-07T11:23:57.492Z', at: '2026-12-07T11:21:57.492Z' }]);
    // remote video: not our count to keep (the origin's Update brings it), only the day's count
    expect(t.counts.views.get(REMOTE.id)).toBeUndefined();
    expect(t.counts.daily.get(REMOTE.id)).toBe(1);

    // 11:23:05 onwards: 8 more reports every 5 s; the viewer is announced again once 90 s have passed
    t.clock.set(new Date('2026-12-07T11:23:05.600Z'));
    for (const time of [0, 2, 4, 6, 8, 1, 3, 5]) {
      expect((await t.report(REMOTE, time, { sessionId: 'abc' })).counted).toBe(false);
      t.clock.advance(5000);
    }
    const later = t.sent.filter((s) => s.kind === 'ping').slice(1);
    expect(later).toHaveLength(1);
    expect(later[0]!.viewerId).toBe(`abc-${REMOTE.uuid}`);
    expect(Date.parse(later[0]!.at) - Date.parse('2026-12-07T11:21:57.492Z')).toBeGreaterThanOrEqual(90_000);
    expect(t.sent.filter((s) => s.kind === 'view')).toHaveLength(1);
  });

  it('counts a local video once enough is watched, once per viewer per view_expiration', async () => {
    const t = setup();
    await t.report(LOCAL, 0, { sessionId: 's1' });
    expect((await t.report(LOCAL, 9, { sessionId: 's1' })).counted).toBe(false);
    expect((await t.report(LOCAL, 10, { sessionId: 's1' })).counted).toBe(true);
    expect((await t.report(LOCAL, 30, { sessionId: 's1' })).counted).toBe(false);
    expect(t.counts.views.get(LOCAL.id)).toBe(1);
    expect(t.localCounted).toEqual([LOCAL.id]);
    // local videos send no View: the count reaches followers with the video's Update
    expect(t.sent).toEqual([]);

    t.clock.advance(HOUR - 1000);
    expect((await t.report(LOCAL, 40, { sessionId: 's1' })).counted).toBe(false);
    t.clock.advance(2000);
    expect((await t.report(LOCAL, 45, { sessionId: 's1' })).counted).toBe(true);
    expect(t.counts.views.get(LOCAL.id)).toBe(2);
  });

  it('tells viewers apart by sessionId, or by IP when there is none or it is not trusted', async () => {
    const trusted = setup();
    for (const sessionId of ['a', 'b']) {
      await trusted.report(LOCAL, 0, { sessionId });
      await trusted.report(LOCAL, 20, { sessionId });
    }
    await trusted.report(LOCAL, 0, { ip: '10.0.0.9' });
    await trusted.report(LOCAL, 20, { ip: '10.0.0.9' });
    expect(trusted.counts.views.get(LOCAL.id)).toBe(3);

    const distrust = setup({ trustViewerSessionId: false });
    for (const sessionId of ['a', 'b']) {
      await distrust.report(LOCAL, 0, { sessionId });
      await distrust.report(LOCAL, 20, { sessionId });
    }
    expect(distrust.counts.views.get(LOCAL.id)).toBe(1);
    // IPs are hashed, never stored
    expect([...distrust.sessions.rows.keys()].some((k) => k.includes('10.0.0.1'))).toBe(false);
  });

  it('counts "watching now" per viewer for two minutes after its last report', async () => {
    const t = setup();
    expect((await t.report(LOCAL, 0, { sessionId: 'a' })).newViewer).toBe(true);
    expect((await t.report(LOCAL, 1, { sessionId: 'a' })).newViewer).toBe(false);
    await t.report(LOCAL, 0, { sessionId: 'b' });
    expect(t.service.viewersOf(LOCAL.id)).toBe(2);
    t.clock.advance(2 * 60_000 + 1);
    expect(t.service.viewersOf(LOCAL.id)).toBe(0);
    await t.service.tick();
    expect(t.service.viewersOf(LOCAL.id)).toBe(0);
  });

  it('every tick, our videos with viewers send their total to followers (a remote video does not)', async () => {
    const t = setup();
    await t.report(LOCAL, 0, { sessionId: 'a' });
    await t.report(LOCAL, 0, { sessionId: 'b' });
    await t.service.processRemoteView({ activityId: 'http://o/views/1', videoUrl: LOCAL.url, expires: new Date(t.clock.now().getTime() + 120_000) });
    await t.report(REMOTE, 0, { sessionId: 'a' });
    t.sent.length = 0;
    t.clock.advance(60_000);
    await t.service.tick();
    expect(t.sent).toEqual([{ kind: 'count', videoId: LOCAL.id, count: 3, expires: new Date(t.clock.now().getTime() + 120_000).toISOString(), at: t.clock.now().toISOString() }]);
    t.clock.advance(61_000);
    t.sent.length = 0;
    await t.service.tick();
    // everyone left: nothing more to tell (followers let the last count expire)
    expect(t.sent).toEqual([]);
  });

  it('an inbound View with expires is a viewer, not a view; without expires it is one view', async () => {
    const t = setup();
    const ping = { activityId: 'http://localhost:9000/accounts/peertube/views/videos/2/abc-x', videoUrl: LOCAL.url, expires: new Date(t.clock.now().getTime() + 120_000) };
    expect(await t.service.processRemoteView(ping)).toBe('viewer');
    // the same ping again (PeerTube keeps its id, with a new expires): still one viewer
    expect(await t.service.processRemoteView({ ...ping, expires: new Date(t.clock.now().getTime() + 200_000) })).toBe('viewer');
    expect(t.service.viewersOf(LOCAL.id)).toBe(1);
    expect(t.counts.views.get(LOCAL.id)).toBeUndefined();
    t.clock.advance(150_000);
    expect(t.service.viewersOf(LOCAL.id)).toBe(1);
    t.clock.advance(60_000);
    expect(t.service.viewersOf(LOCAL.id)).toBe(0);

    expect(await t.service.processRemoteView({ activityId: 'http://localhost:9000/accounts/peertube/views/videos/2/905fffcc', videoUrl: LOCAL.url })).toBe('view');
    expect(t.counts.views.get(LOCAL.id)).toBe(1);
    expect(t.localCounted).toEqual([LOCAL.id]);
    expect(await t.service.processRemoteView({ activityId: 'x', videoUrl: 'http://elsewhere.example/videos/watch/1' })).toBe('unknown-video');
  });

  it('counts a stored inbound View once, even when its job runs again after a crash', async () => {
    const t = setup();
    const view = { activityId: 'http://o/accounts/peertube/views/videos/2/once', videoUrl: LOCAL.url, inboxActivityId: 41 };
    expect(await t.service.processRemoteView(view)).toBe('view');
    // the process died after the view was counted, before the inbox job recorded its outcome: the job runs again
    expect(await t.service.processRemoteView(view)).toBe('view');
    expect(t.counts.views.get(LOCAL.id)).toBe(1);
    expect(t.counts.daily.get(LOCAL.id)).toBe(1);
    expect(t.localCounted).toEqual([LOCAL.id]);
    // another stored activity (another row, even with the same activity id) is another view
    expect(await t.service.processRemoteView({ ...view, inboxActivityId: 42 })).toBe('view');
    expect(t.counts.views.get(LOCAL.id)).toBe(2);
  });

  it('the origin\'s viewer summary of a remote video replaces what we knew', async () => {
    const t = setup();
    const expires = new Date(t.clock.now().getTime() + 120_000);
    await t.service.processRemoteView({ activityId: 'http://o/1', videoUrl: REMOTE.url, expires });
    await t.service.processRemoteView({ activityId: 'http://o/2', videoUrl: REMOTE.url, expires });
    expect(t.service.viewersOf(REMOTE.id)).toBe(2);
    await t.service.processRemoteView({ activityId: `http://o/${REMOTE.uuid}`, videoUrl: REMOTE.url, expires, viewersCount: 5 });
    expect(t.service.viewersOf(REMOTE.id)).toBe(5);
  });

  it('forgets silent viewers after an hour but keeps a counted view until view_expiration', async () => {
    const t = setup({ viewExpirationMs: 3 * HOUR });
    await t.report(LOCAL, 0, { sessionId: 'a' });
    await t.report(LOCAL, 20, { sessionId: 'a' });
    await t.report(LOCAL, 0, { sessionId: 'b' });
    t.clock.advance(HOUR + 1);
    await t.service.tick();
    expect([...t.sessions.rows.keys()]).toEqual([`${LOCAL.id}|a`]);
    // a's sections are forgotten (silent for an hour) but its view is still counted
    expect((await t.report(LOCAL, 30, { sessionId: 'a' })).counted).toBe(false);
    expect(t.sessions.rows.get(`${LOCAL.id}|a`)!.sections).toEqual([{ start: 30, end: 30 }]);
  });
});
