import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import {
  abandonedUploads,
  createAbandonedUploadCleanup,
  trackUploads,
  uploadPlaces,
  UNTRACKED_UPLOAD_GRACE_MS,
  type MultipartUploads,
  type ObjectStore,
  type PendingUpload,
  type TrackedUpload,
  type UploadTrackingStore,
} from '../../../src/storage/index.js';

function settingsOf(options: Parameters<typeof loadConfig>[0]) {
  const loaded = loadConfig(options);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.config;
}

const T0 = new Date('2026-12-08T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const upload = (key: string, initiated: Date, bucket = 'playlists'): PendingUpload => ({ bucket, key, uploadId: `id-${key}-${initiated.getTime()}`, initiated });
const row = (id: number, key: string, node: string, startedAt: Date, bucket = 'playlists'): TrackedUpload => ({ id, bucket, key, node, startedAt });

/** The selection: an upload is aborted when no live node (online, not restarted since) writes its key. */
describe('abandoned multipart uploads: which to abort', () => {
  const nodes = [
    { id: 'a', online: true, startedAt: T0 },
    { id: 'b', online: false, startedAt: T0 },
    { id: 'c', online: true, startedAt: at(60_000) }, // restarted at T0+1min
  ];
  const now = at(3600_000);
  const cases: { name: string; upload: PendingUpload; rows: TrackedUpload[]; aborted: boolean }[] = [
    { name: 'written by a live node', upload: upload('u/1', at(1000)), rows: [row(1, 'u/1', 'a', at(900))], aborted: false },
    { name: 'written by a node gone silent (killed)', upload: upload('u/1', at(1000)), rows: [row(1, 'u/1', 'b', at(900))], aborted: true },
    { name: 'written by a node unknown to the registry', upload: upload('u/1', at(1000)), rows: [row(1, 'u/1', 'z', at(900))], aborted: true },
    { name: 'written by a node before its restart (kill -9, same worker id)', upload: upload('u/1', at(1000)), rows: [row(1, 'u/1', 'c', at(900))], aborted: true },
    { name: 'written by a node after its restart', upload: upload('u/1', at(120_000)), rows: [row(1, 'u/1', 'c', at(120_000))], aborted: false },
    { name: 'a dead row and a live one for the key (a retry on another node)', upload: upload('u/1', at(1000)), rows: [row(1, 'u/1', 'b', at(900)), row(2, 'u/1', 'a', at(2000))], aborted: false },
    { name: 'the live row is of another bucket', upload: upload('u/1', at(1000)), rows: [row(1, 'u/1', 'a', at(900), 'videos')], aborted: false },
    { name: 'untracked, younger than the grace', upload: upload('u/1', at(0)), rows: [], aborted: false },
    { name: 'untracked, older than the grace', upload: upload('u/1', at(-UNTRACKED_UPLOAD_GRACE_MS)), rows: [], aborted: true },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.aborted ? 'aborted' : 'kept'}`, () => {
      const { abort } = abandonedUploads({ uploads: [c.upload], rows: c.rows, nodes, now, untrackedGraceMs: UNTRACKED_UPLOAD_GRACE_MS });
      expect(abort).toEqual(c.aborted ? [c.upload] : []);
    });
  }

  it('names the dead rows (their node silent, unknown, stopped or restarted), never a live one', () => {
    const rows = [row(1, 'k', 'a', at(0)), row(2, 'k', 'b', at(0)), row(3, 'k', 'z', at(0)), row(4, 'k', 'c', at(0)), row(5, 'k', 'c', at(60_000))];
    expect(abandonedUploads({ uploads: [], rows, nodes, now, untrackedGraceMs: 0 }).deadRows.map((r) => r.id)).toEqual([2, 3, 4]);
  });
});

describe('abandoned multipart uploads: where we look', () => {
  it('lists each bucket and prefix in use once, a prefix inside another with it, the opt-in kinds only when enabled', () => {
    const config = settingsOf({
      cwd: '/srv/mt',
      env: {},
      extra: [{ name: 'x.yaml', data: {
        object_storage: {
          enabled: true,
          endpoint: 'http://127.0.0.1:1',
          streaming_playlists: { bucket_name: 'media', prefix: 'hls/' },
          web_videos: { bucket_name: 'media', prefix: 'hls/web/' },
          redundancy: { bucket_name: 'copies', prefix: '' },
          torrents: { enabled: false, bucket_name: 'other', prefix: 't/' },
        },
      } }],
    });
    expect(uploadPlaces(config.object_storage)).toEqual([
      { bucket: 'media', prefix: 'hls/' },
      { bucket: 'copies', prefix: '' },
    ]);
  });
});

/** The cleanup against fakes of its ports: the bucket's multipart uploads and the tracking rows. */
describe('abandoned multipart uploads: the cleanup', () => {
  function fakes() {
    const pending: PendingUpload[] = [];
    const rows: TrackedUpload[] = [];
    let nextId = 1;
    const listed: { bucket: string; prefix: string }[] = [];
    let refuse = false;
    const multipart: MultipartUploads = {
      list: async (bucket, prefix) => {
        listed.push({ bucket, prefix });
        return pending.filter((u) => u.bucket === bucket && u.key.startsWith(prefix));
      },
      abort: async (u) => {
        if (refuse) throw new Error('503 Slow Down');
        const i = pending.findIndex((p) => p.uploadId === u.uploadId);
        if (i >= 0) pending.splice(i, 1);
      },
    };
    const tracking: UploadTrackingStore = {
      begin: async (u) => {
        rows.push({ ...u, id: nextId });
        return nextId++;
      },
      end: async (id) => void rows.splice(rows.findIndex((r) => r.id === id), 1),
      list: async () => [...rows],
      remove: async (ids) => {
        for (const id of ids) rows.splice(rows.findIndex((r) => r.id === id), 1);
      },
    };
    return { pending, rows, listed, multipart, tracking, refuse: (r: boolean) => (refuse = r) };
  }
  const config = settingsOf({ cwd: '/srv/mt', env: {}, extra: [{ name: 'x.yaml', data: { object_storage: { enabled: true, endpoint: 'http://127.0.0.1:1', streaming_playlists: { bucket_name: 'playlists', prefix: 'p/' }, web_videos: { bucket_name: 'videos', prefix: '' }, redundancy: { bucket_name: 'copies', prefix: '' } } } }] });
  const logger = createLogger({ level: 'silent' });

  it('aborts what a killed node left under our prefixes, keeps what a live node writes, forgets the dead rows', async () => {
    const f = fakes();
    const clock = createManualClock(at(3600_000));
    const nodes = [
      { id: 'alive', online: true, startedAt: T0 },
      { id: 'killed', online: false, startedAt: T0 },
    ];
    f.pending.push(upload('p/v/live.mp4', at(10)), upload('p/v/dead.mp4', at(10)), upload('p/v/old-untracked.mp4', at(-UNTRACKED_UPLOAD_GRACE_MS - 1)));
    f.pending.push(upload('not-ours/x.mp4', at(-UNTRACKED_UPLOAD_GRACE_MS - 1))); // outside the prefix: not listed
    f.rows.push(row(1, 'p/v/live.mp4', 'alive', at(5)), row(2, 'p/v/dead.mp4', 'killed', at(5)), row(3, 'p/v/finished.mp4', 'killed', at(5)));
    const cleanup = createAbandonedUploadCleanup({ settings: config.object_storage, multipart: f.multipart, tracking: f.tracking, nodes: async () => nodes, clock, logger });

    expect(await cleanup.run()).toEqual({ aborted: 2, failed: 0 });
    expect(f.pending.map((u) => u.key).sort()).toEqual(['not-ours/x.mp4', 'p/v/live.mp4']);
    expect(f.rows.map((r) => r.id)).toEqual([1]);
    expect(f.listed).toEqual([
      { bucket: 'playlists', prefix: 'p/' },
      { bucket: 'videos', prefix: '' },
      { bucket: 'copies', prefix: '' },
    ]);
  });

  it('keeps a dead row whose abort failed, so the next run tries again', async () => {
    const f = fakes();
    const clock = createManualClock(at(3600_000));
    f.pending.push(upload('p/v/dead.mp4', at(10)));
    f.rows.push(row(1, 'p/v/dead.mp4', 'killed', at(5)));
    const cleanup = createAbandonedUploadCleanup({ settings: config.object_storage, multipart: f.multipart, tracking: f.tracking, nodes: async () => [], clock, logger });
    f.refuse(true);
    expect(await cleanup.run()).toEqual({ aborted: 0, failed: 1 });
    expect(f.rows).toHaveLength(1);
    f.refuse(false);
    expect(await cleanup.run()).toEqual({ aborted: 1, failed: 0 });
    expect(f.pending).toEqual([]);
    expect(f.rows).toEqual([]);
  });

  it('records each put while it runs, under this node, and forgets it whichever way it ends', async () => {
    const f = fakes();
    const clock = createManualClock(T0);
    const during: TrackedUpload[][] = [];
    const inner = {
      put: async (_kind: string, key: string) => {
        during.push([...f.rows]);
        if (key === 'broken') throw new Error('connection reset');
      },
    } as unknown as ObjectStore;
    const store = trackUploads(inner, { settings: config.object_storage, tracking: f.tracking, node: 'me', clock });
    await store.put('streaming_playlists', 'uuid/a.mp4', { body: Buffer.from('x') }, { acl: 'public' });
    await expect(store.put('web_videos', 'broken', { body: Buffer.from('x') }, { acl: 'public' })).rejects.toThrow('connection reset');
    expect(during).toEqual([[{ id: 1, bucket: 'playlists', key: 'p/uuid/a.mp4', node: 'me', startedAt: T0 }], [{ id: 2, bucket: 'videos', key: 'broken', node: 'me', startedAt: T0 }]]);
    expect(f.rows).toEqual([]);
  });
});
