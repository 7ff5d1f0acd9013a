import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import { ok } from '../../../src/lib/result.js';
import { createStorageLayout } from '../../../src/videos/storage-layout.js';
import type { QuotaStore, Reservation } from '../../../src/videos/upload/quota-store.js';
import { writeRange } from '../../../src/videos/upload/range-writer.js';
import { createResumableUploads } from '../../../src/videos/upload/resumable-uploads.js';
import { createUploadAdmission } from '../../../src/videos/upload/upload-admission.js';
import { toolExit } from '../../../src/transcoding/watched-spawn.js';
import { createFakeUploadSessionStore } from '../../support/fakes/upload-session-store.js';

/** Waits (a bounded number of turns of the event loop, no timer) until `condition` holds. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (await condition()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition never held');
}

/** An in-memory quota store: `room` bytes for user 1, owner of channel 1. */
function fakeQuotaStore(room: number): QuotaStore & { held: Map<string, Reservation> } {
  const held = new Map<string, Reservation>();
  return {
    held,
    ownsChannel: async (userId, channelId) => userId === 1 && channelId === 1,
    async reserve(r) {
      const used = [...held.values()].reduce((sum, x) => sum + x.size, 0);
      if (used + r.size > room) return { ok: false, which: 'total' };
      held.set(r.id, r);
      return { ok: true };
    },
    setVideoUuid: async () => {},
    release: async (id) => void held.delete(id),
    ownedBy: async () => [],
    videoExists: async () => false,
  };
}

describe('upload admission', () => {
  it('refuses a foreign channel, a file over the limit, and a reservation over the quota', async () => {
    const store = fakeQuotaStore(250);
    const admission = createUploadAdmission({ store, clock: createManualClock(new Date('2026-01-01T00:00:00Z')), owner: 'w', maxFileSize: 200 });
    expect(await admission.admit(1, 2, 10)).toMatchObject({ ok: false, reason: { type: 'not-your-channel' } });
    expect(await admission.admit(1, 1, 201)).toMatchObject({ ok: false, reason: { type: 'too-large' } });
    const results = await Promise.all(Array.from({ length: 5 }, () => admission.admit(1, 1, 100)));
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(results.filter((r) => !r.ok && r.reason.type === 'quota-reached')).toHaveLength(3);
    const first = results.find((r) => r.ok)!;
    await admission.release(first.ok ? first.value.reservationId : '');
    expect((await admission.admit(1, 1, 100)).ok).toBe(true);
  });
});

describe('writeRange', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mt-range-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes exactly the range, stops at an overflow, keeps a short body, stops when cancelled', async () => {
    const file = join(dir, 'f');
    await writeFile(file, '');
    const body = new PassThrough();
    const done = writeRange(body, file, 0, 10, new AbortController().signal);
    body.end(Buffer.from('0123456789ABCDEF'));
    expect(await done).toEqual({ written: 10, outcome: 'overflow' });
    expect(await readFile(file, 'utf8')).toBe('0123456789');

    const short = new PassThrough();
    const shortDone = writeRange(short, file, 10, 10, new AbortController().signal);
    short.end(Buffer.from('abc'));
    expect(await shortDone).toEqual({ written: 3, outcome: 'short' });

    const controller = new AbortController();
    const slow = new PassThrough();
    const cancelled = writeRange(slow, file, 13, 7, controller.signal);
    slow.write(Buffer.from('xy'));
    await until(async () => (await stat(file)).size === 15);
    controller.abort();
    expect((await cancelled).outcome).toBe('cancelled');
    expect((await stat(file)).size).toBeLessThanOrEqual(20);
  });
});

describe('resumable uploads (in-memory stores)', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mt-resumable-'));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(root, 'tmp', 'resumable'), { recursive: true }); // the layout's resumableTmp
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('one chunk at a time, a cancel stops the write, the last chunk makes one video and is answered again', async () => {
    const folders = ['tmp', 'web_videos', 'streaming_playlists', 'redundancy', 'torrents', 'thumbnails', 'previews', 'database'] as const;
    const layout = createStorageLayout({ root, ...Object.fromEntries(folders.map((f) => [f, join(root, f)])) } as Parameters<typeof createStorageLayout>[0]);
    const quota = fakeQuotaStore(1000);
    const sessions = createFakeUploadSessionStore({ reservations: quota.held });
    let made = 0;
    const uploads = createResumableUploads({
      store: sessions,
      admission: createUploadAdmission({ store: quota, clock: createManualClock(), owner: 'w', maxFileSize: 1000 }),
      clock: createManualClock(),
      layout,
      videos: { acceptUpload: async () => ok({ id: ++made, uuid: `uuid-${made}`, shortUUID: `s${made}` }) },
      expirationMs: 60_000,
      owner: 'w',
    });
    const meta = { name: 'video', channelId: 1 } as never;

    // a cancel while a chunk streams
    const a = await uploads.init(1, meta, { filename: 'a.mp4', size: 10, mimeType: null });
    const id = a.ok ? a.value.id : '';
    const streaming = new PassThrough();
    const pending = uploads.writeChunk(1, id, { start: 0, end: 9, total: 10 }, streaming);
    streaming.write(Buffer.from('01234'));
    await until(() => uploads.inUse().has(id));
    expect(await uploads.writeChunk(1, id, { start: 0, end: 9, total: 10 }, new PassThrough())).toMatchObject({ ok: false, reason: { type: 'busy' } });
    expect(await uploads.cancel(1, id)).toBe('removed');
    expect(await pending).toMatchObject({ ok: false, reason: { type: 'unknown-upload' } });
    expect(sessions.rows.size).toBe(0);
    expect(quota.held.size).toBe(0);

    // a complete upload, then its last chunk again
    const b = await uploads.init(1, meta, { filename: 'b.mp4', size: 4, mimeType: null });
    const idB = b.ok ? b.value.id : '';
    const mismatch = new PassThrough();
    expect(await uploads.writeChunk(1, idB, { start: 0, end: 3, total: 4 }, mismatch, 5)).toMatchObject({ ok: false, reason: { type: 'chunk-mismatch' } });
    const body = new PassThrough();
    const last = uploads.writeChunk(1, idB, { start: 0, end: 3, total: 4 }, body);
    body.end(Buffer.from('abcd'));
    expect(await last).toEqual({ ok: true, value: { status: 'complete', video: { id: 1, uuid: 'uuid-1', shortUUID: 's1' } } });
    const again = new PassThrough();
    again.end(Buffer.from('abcd'));
    expect(await uploads.writeChunk(1, idB, { start: 0, end: 3, total: 4 }, again)).toEqual({ ok: true, value: { status: 'complete', video: { id: 1, uuid: 'uuid-1', shortUUID: 's1' } } });
    expect(await uploads.cancel(1, idB)).toBe('unknown');
    expect(made).toBe(1);
  });
});

describe('the ffmpeg watchdog exit status', () => {
  it.each([
    [0, null, { code: 0, signal: null, notRun: false }],
    [1, null, { code: 1, signal: null, notRun: false }],
    [137, null, { code: null, signal: 'SIGKILL', notRun: false }],
    [127, null, { code: 127, signal: null, notRun: true }],
    [null, 'SIGKILL' as const, { code: null, signal: 'SIGKILL', notRun: false }],
  ])('%s / %s', (code, signal, expected) => expect(toolExit(code, signal)).toEqual(expected));
});
