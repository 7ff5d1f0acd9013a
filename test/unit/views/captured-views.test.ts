import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InboundActivity } from '../../../src/federation/inbox/process-activity.js';
import { inboundActivity } from '../../support/fakes/inbound-activity.js';
import type { JobContext } from '../../../src/jobs/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { createViewHandler } from '../../../src/views/view-handler.js';
import { createViewerCounters } from '../../../src/views/viewer-counters.js';
import { createViewsService } from '../../../src/views/views-service.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';
import { memoryViewCounts, memoryViewerSessions } from './fakes.js';

interface Exchange {
  seq: number;
  time: string;
  requestBody: string;
}

const captured = readFileSync(`${PEERTUBE_REAL_DIR}/session-2/to-mirrortube.jsonl`, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Exchange);
const bySeq = (seq: number) => captured.find((e) => e.seq === seq)!;
const OUR_VIDEO = { id: 2, uuid: '8fffed66-eb54-40dc-91c4-f4f4a3c92d5b', url: 'http://localhost:19500/videos/watch/8fffed66-eb54-40dc-91c4-f4f4a3c92d5b', isLocal: true };

describe('the View activities PeerTube 6.3 sent in session-2 (seq 145, 146, 152)', () => {
  it('two viewer pings with one id are one viewer; the View without expires is one view', async () => {
    const clock = createManualClock(new Date(bySeq(145).time));
    const counts = memoryViewCounts([OUR_VIDEO]);
    const updates: number[] = [];
    const service = createViewsService({
      sessions: memoryViewerSessions(),
      counts,
      counters: createViewerCounters({ clock }),
      federation: { sendViewerPing: () => Promise.resolve(), sendView: () => Promise.resolve(), sendViewersCount: () => Promise.resolve() },
      clock,
      logger: createLogger({ level: 'silent' }),
      settings: { viewExpirationMs: 3600_000, countViewAfterMs: 10_000, trustViewerSessionId: true, remoteMaxAgeMs: -1, salt: 's' },
      onLocalViewCounted: (id) => {
        updates.push(id);
        return Promise.resolve();
      },
    });
    const handle = createViewHandler(service);
    const deliver = (seq: number) => {
      const e = bySeq(seq);
      clock.set(new Date(e.time));
      const body = JSON.parse(e.requestBody) as Record<string, unknown> & { id: string; actor: string };
      const activity: InboundActivity = inboundActivity({ id: body.id, type: 'View', actor: body.actor, signer: body.actor, body });
      return handle(activity, {} as JobContext);
    };

    expect(await deliver(145)).toEqual({ status: 'processed' });
    expect(service.viewersOf(OUR_VIDEO.id)).toBe(1);
    expect(counts.views.get(OUR_VIDEO.id)).toBeUndefined();

    expect(await deliver(146)).toEqual({ status: 'processed' });
    expect(counts.views.get(OUR_VIDEO.id)).toBe(1);
    expect(updates).toEqual([OUR_VIDEO.id]);

    // seq 152: same id as 145, new expires (11:25:30.594Z): still one viewer, until then
    expect(await deliver(152)).toEqual({ status: 'processed' });
    expect(service.viewersOf(OUR_VIDEO.id)).toBe(1);
    expect(counts.views.get(OUR_VIDEO.id)).toBe(1);
    clock.set(new Date('2026-12-07T11:25:30.000Z'));
    expect(service.viewersOf(OUR_VIDEO.id)).toBe(1);
    clock.set(new Date('2026-12-07T11:25:31.000Z'));
    expect(service.viewersOf(OUR_VIDEO.id)).toBe(0);
  });

  it("reads PeerTube < 6.1's `expiration`, and a viewer count only from a WatchAction InteractionCounter", async () => {
    const calls: unknown[] = [];
    const handle = createViewHandler({
      processRemoteView: (input) => {
        calls.push(input);
        return Promise.resolve('viewer' as const);
      },
    });
    const body = JSON.parse(bySeq(145).requestBody) as Record<string, unknown>;
    const { expires, ...old } = body;
    const base = { id: 'v', type: 'View', actor: 'http://localhost:9000/accounts/peertube', signer: 'http://localhost:9000/accounts/peertube' };
    await handle(inboundActivity({ ...base, body: { ...old, expiration: expires } }), {} as JobContext);
    await handle(inboundActivity({ ...base, body: { ...body, result: { interactionType: 'WatchAction', type: 'InteractionCounter', userInteractionCount: 4 } } }), {} as JobContext);
    await handle(inboundActivity({ ...base, body: { ...body, result: { interactionType: 'LikeAction', type: 'InteractionCounter', userInteractionCount: 4 } } }), {} as JobContext);
    expect(calls).toEqual([
      { activityId: 'v', videoUrl: body.object, expires: new Date(expires as string), viewersCount: undefined },
      { activityId: 'v', videoUrl: body.object, expires: new Date(expires as string), viewersCount: 4 },
      { activityId: 'v', videoUrl: body.object, expires: new Date(expires as string), viewersCount: undefined },
    ]);
  });

  it('skips a View of a video we do not know, and an unreadable one', async () => {
    const clock = createManualClock();
    const service = createViewsService({
      sessions: memoryViewerSessions(),
      counts: memoryViewCounts([]),
      counters: createViewerCounters({ clock }),
      federation: { sendViewerPing: () => Promise.resolve(), sendView: () => Promise.resolve(), sendViewersCount: () => Promise.resolve() },
      clock,
      logger: createLogger({ level: 'silent' }),
      settings: { viewExpirationMs: 3600_000, countViewAfterMs: 10_000, trustViewerSessionId: true, remoteMaxAgeMs: -1, salt: 's' },
      onLocalViewCounted: () => Promise.resolve(),
    });
    const handle = createViewHandler(service);
    const body = JSON.parse(bySeq(146).requestBody) as Record<string, unknown>;
    const base = { id: 'x', type: 'View', actor: 'http://localhost:9000/accounts/peertube', signer: 'http://localhost:9000/accounts/peertube' };
    expect((await handle(inboundActivity({ ...base, body }), {} as JobContext)).status).toBe('skipped');
    expect((await handle(inboundActivity({ ...base, body: { ...body, expires: 'tomorrow' } }), {} as JobContext)).status).toBe('skipped');
  });
});
