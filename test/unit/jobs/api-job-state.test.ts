import { describe, expect, it } from 'vitest';
import { toApiJobState } from '../../../src/jobs/index.js';
import { whereForApiJobState } from '../../../src/jobs/api-job-state.js';
import { toApiJob } from '../../../src/jobs/api-job.js';
import type { StoredJob } from '../../../src/jobs/index.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const before = new Date(now.getTime() - 1);
const after = new Date(now.getTime() + 1);

describe('toApiJobState', () => {
  it.each([
    ['pending', before, false, 'waiting'],
    ['pending', now, false, 'waiting'],
    ['pending', after, false, 'delayed'],
    ['pending', before, true, 'paused'],
    ['pending', after, true, 'delayed'],
    ['active', before, false, 'active'],
    ['active', after, true, 'active'],
    ['completed', before, false, 'completed'],
    ['failed', before, false, 'failed'],
  ] as const)('%s with runAt %s (paused: %s) is %s', (state, runAt, paused, expected) => {
    expect(toApiJobState({ state, runAt }, now, paused)).toBe(expected);
  });
});

describe('whereForApiJobState', () => {
  it('splits pending jobs on runAt', () => {
    expect(whereForApiJobState('waiting', now, false)).toEqual({ state: 'pending', runAt: { lte: now } });
    expect(whereForApiJobState('delayed', now, false)).toEqual({ state: 'pending', runAt: { gt: now } });
  });

  it('lists due jobs as paused only while paused', () => {
    expect(whereForApiJobState('paused', now, false)).toBeNull();
    expect(whereForApiJobState('waiting', now, true)).toBeNull();
    expect(whereForApiJobState('paused', now, true)).toEqual({ state: 'pending', runAt: { lte: now } });
  });

  it('maps the other states to the column', () => {
    for (const state of ['active', 'completed', 'failed'] as const) {
      expect(whereForApiJobState(state, now, false)).toEqual({ state });
    }
  });
});

describe('toApiJob', () => {
  const row: StoredJob = {
    id: 7,
    kind: 'video-transcoding',
    payload: { videoUUID: 'abc' },
    state: 'completed',
    priority: 100,
    progress: 0,
    attempts: 1,
    maxAttempts: 5,
    runAt: before,
    lastError: null,
    dedupeKey: null,
    createdAt: new Date('2026-03-01T11:00:00.000Z'),
    startedAt: new Date('2026-03-01T11:00:01.000Z'),
    finishedAt: new Date('2026-03-01T11:00:05.000Z'),
  };

  it("has PeerTube's field names and date strings", () => {
    expect(toApiJob(row, { now, paused: false, progress: undefined })).toEqual({
      id: 7,
      state: 'completed',
      type: 'video-transcoding',
      data: { videoUUID: 'abc' },
      priority: 100,
      progress: 100,
      error: null,
      createdAt: '2026-03-01T11:00:00.000Z',
      finishedOn: '2026-03-01T11:00:05.000Z',
      processedOn: '2026-03-01T11:00:01.000Z',
    });
  });

  it('shows a delayed retry with its last error and no finish date', () => {
    const retrying: StoredJob = { ...row, state: 'pending', runAt: after, finishedAt: null, lastError: 'Error: boom' };
    expect(toApiJob(retrying, { now, paused: false, progress: undefined })).toMatchObject({
      state: 'delayed',
      progress: 0,
      error: 'Error: boom',
      finishedOn: null,
    });
  });

  it('shows the progress a running job reported', () => {
    const active: StoredJob = { ...row, state: 'active', finishedAt: null };
    expect(toApiJob(active, { now, paused: false, progress: 42 }).progress).toBe(42);
  });
});
