import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import { ok } from '../../../src/lib/result.js';
import type { StorageLayout } from '../../../src/videos/storage-layout.js';
import { createResumableUploads } from '../../../src/videos/upload/resumable-uploads.js';
import type { UploadAdmission } from '../../../src/videos/upload/upload-admission.js';
import { createFakeUploadSessionStore } from '../../support/fakes/upload-session-store.js';

const admission = { admit: async () => ok({ reservationId: 'r' }), release: async () => {} } as unknown as UploadAdmission;
const exists = (path: string) => stat(path).then(() => true, () => false);

describe('resumable uploads across nodes', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mt-uploads-nodes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a node refuses to write a chunk of an upload held by another node, naming it, without reading the body; expiry follows the owner', async () => {
    const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
    const sessions = createFakeUploadSessionStore();
    const online = new Set(['n1', 'n2']);
    const node = async (owner: string) => {
      const resumableTmp = join(dir, owner);
      await mkdir(resumableTmp, { recursive: true });
      return createResumableUploads({
        store: sessions,
        admission,
        clock,
        layout: { resumableTmp } as StorageLayout,
        videos: { acceptUpload: async () => ok({ id: 1, uuid: 'u', shortUUID: 's' }) },
        expirationMs: 60_000,
        owner,
        nodeOnline: async (n) => online.has(n),
      });
    };
    const [n1, n2] = [await node('n1'), await node('n2')];
    const meta = { name: 'video', channelId: 1 } as never;
    const made = await n1.init(1, meta, { filename: 'a.mp4', size: 10, mimeType: null });
    const id = made.ok ? made.value.id : '';
    const body = new PassThrough();
    body.end(Buffer.from('01234'));
    expect(await n2.writeChunk(1, id, { start: 0, end: 4, total: 10 }, body)).toEqual({
      ok: false,
      reason: { type: 'elsewhere', owner: 'n1', message: 'the upload is received by another node (n1)' },
    });
    expect(body.readableLength).toBe(5); // left for the forwarder to stream
    expect(await n2.cancel(1, id)).toEqual({ elsewhere: 'n1' });
    expect(await n1.writeChunk(1, id, { start: 0, end: 4, total: 10 }, body)).toEqual(ok({ status: 'incomplete', received: 5 }));
    // how much arrived: any node answers
    expect(await n2.received(1, id)).toEqual(ok({ received: 5, size: 10 }));

    clock.advance(60_001);
    expect(await n2.removeExpired()).toBe(0); // n1 is running: its session is its own to remove
    expect(sessions.rows.has(id)).toBe(true);
    online.delete('n1');
    expect(await n2.removeExpired()).toBe(1); // n1 is gone: anyone removes the row
    expect(sessions.rows.has(id)).toBe(false);

    const again = await n1.init(1, meta, { filename: 'b.mp4', size: 10, mimeType: null });
    const second = again.ok ? again.value.id : '';
    clock.advance(60_001);
    expect(await exists(join(dir, 'n1', second))).toBe(true);
    expect(await n1.removeExpired()).toBe(1); // its own: the row and the file
    expect(await exists(join(dir, 'n1', second))).toBe(false);
  });
});
