import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import { createInstanceUrls } from '../../../src/lib/instance-urls.js';
import { createLogger } from '../../../src/lib/logger.js';
import type { Tx } from '../../../src/lib/tx.js';
import type { MediaProbe } from '../../../src/transcoding/probe.js';
import { VideoPrivacy, VideoState } from '../../../src/videos/constants.js';
import type { MediaTools, VideoEvents } from '../../../src/videos/ports.js';
import { layoutForPrivacy } from '../../../src/videos/privacy-folders.js';
import type { PrivacyChangePort, PrivacyMove } from '../../../src/videos/privacy-change.js';
import { createStorageLayout, type StorageLayout } from '../../../src/videos/storage-layout.js';
import { createUploadAdmission } from '../../../src/videos/upload/upload-admission.js';
import type { UploadMetadata } from '../../../src/videos/upload/upload-metadata.js';
import { createVideoService, type TranscodeScheduler } from '../../../src/videos/video-service.js';
import { createFakeQuotaStore } from '../../support/fakes/quota-store.js';
import { txId } from '../../support/fakes/commit-transactor.js';
import { createFakeVideoStore, type FakeVideoStore } from '../../support/fakes/video-store.js';

const USER = 1;
const CHANNEL = 10;
const OTHER_USER = 2;
const OTHER_CHANNEL = 20;

const probe: MediaProbe = {
  durationSeconds: 4.4,
  size: 1000,
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  bitrate: 1000,
  hasVideo: true,
  hasAudio: true,
  width: 640,
  height: 360,
  fps: 25,
  videoCodec: 'h264',
  audioCodec: 'aac',
  videoStream: null,
  audioStream: null,
};

/** Everything the video service reaches, as in-memory fakes over a temporary storage folder. */
async function setup(options: { transcodingEnabled?: boolean; maxFileSize?: number; quota?: number; dailyQuota?: number; scheduleFails?: boolean; objectStorage?: boolean; putFails?: boolean } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'video-service-'));
  const folder = (name: string) => join(root, name);
  const layout: StorageLayout = createStorageLayout({
    root,
    tmp: folder('tmp'),
    web_videos: folder('web-videos'),
    streaming_playlists: folder('streaming-playlists'),
    redundancy: folder('redundancy'),
    torrents: folder('torrents'),
    thumbnails: folder('thumbnails'),
    previews: folder('previews'),
  } as StorageLayout['storage']);
  for (const dir of layout.all()) await mkdir(dir, { recursive: true });

  const db: FakeVideoStore = createFakeVideoStore();
  db.users.set(USER, { total: options.quota ?? -1, daily: options.dailyQuota ?? -1 });
  db.users.set(OTHER_USER, { total: -1, daily: -1 });
  db.channels.set(CHANNEL, USER);
  db.channels.set(OTHER_CHANNEL, OTHER_USER);
  const quota = createFakeQuotaStore({ ...db.store, videoExists: (uuid) => [...db.videos.values()].some((v) => v.uuid === uuid) });

  const clock = createManualClock(new Date('2026-12-07T12:00:00Z'));
  const maxFileSize = options.maxFileSize ?? 10_000_000;
  const events: string[] = [];
  const recordEvent = (name: string) => async (videoId: number) => void events.push(`${name} ${videoId}`);
  const videoEvents: VideoEvents = { published: recordEvent('published'), updated: recordEvent('updated'), deleting: recordEvent('deleting'), viewed: recordEvent('viewed') };
  const scheduled: { videoId: number; tx: number }[] = [];
  /** jobs following a publication (the move to object storage), written with it */
  const publishedAsIs: { videoId: number; tx: number }[] = [];
  let wakes = 0;
  const transcoding: TranscodeScheduler = {
    async schedule(videoId: number, tx: Tx) {
      if (options.scheduleFails) throw new Error('job table unavailable');
      scheduled.push({ videoId, tx: txId(tx) });
    },
    wake: () => void wakes++,
    async publishedAsIs(videoId: number, tx: Tx) {
      publishedAsIs.push({ videoId, tx: txId(tx) });
    },
  };
  const media: MediaTools = {
    probe: async () => ({ ok: true, probe }),
    async generateImages({ thumbnailPath, previewPath }) {
      await writeFile(thumbnailPath, 'thumbnail');
      await writeFile(previewPath, 'preview');
    },
  };
  const seeding = { synced: [] as string[], unseeded: [] as string[] };
  const moves: PrivacyMove[] = [];
  const privacyChange: PrivacyChangePort = {
    async prepare(videoId, newPrivacy) {
      const video = db.videos.get(videoId)!;
      const toPrivate = newPrivacy === VideoPrivacy.PRIVATE;
      return toPrivate !== (video.privacy === VideoPrivacy.PRIVATE) ? { videoId, uuid: video.uuid, toPrivate } : null;
    },
    apply: async (move) => void moves.push(move),
  };
  /** the bucket's originals (object storage): filename → privacy, and how many transcodes were scheduled at each put */
  const bucket = new Map<string, number>();
  const scheduledAtPut: number[] = [];
  const originals = {
    async put(video: { uuid: string; privacy: number }, filename: string, path: string) {
      if (options.putFails) throw new Error('bucket unreachable');
      if (!existsSync(path)) throw new Error(`no file at ${path}`);
      scheduledAtPut.push(scheduled.length);
      bucket.set(filename, video.privacy);
    },
    remove: async (_video: { uuid: string; privacy: number }, filename: string) => void bucket.delete(filename),
  };
  const videos = createVideoService({
    store: db.store,
    clock,
    urls: createInstanceUrls({ https: false, hostname: 'videos.test', port: 9000 }),
    layout,
    media,
    torrents: { create: async ({ name }) => ({ torrent: Buffer.from(`torrent of ${name}`), infoHash: 'a'.repeat(40) }) },
    transcoding,
    events: videoEvents,
    seeding: { syncVideo: async (uuid) => void seeding.synced.push(uuid), unseedVideo: async (uuid) => void seeding.unseeded.push(uuid) },
    logger: createLogger({ level: 'silent' }),
    options: { transcodingEnabled: options.transcodingEnabled ?? true, maxFileSize },
    privacyChange,
    admission: createUploadAdmission({ store: quota.store, clock, owner: 'worker-1', maxFileSize }),
    ...(options.objectStorage ? { originals } : {}),
  });

  let received = 0;
  /** a file as the upload receivers leave it in the temporary folder */
  async function receivedFile(size = 1000, originalName = 'clip.mp4') {
    const path = join(layout.uploadsTmp, `received-${++received}`);
    await writeFile(path, Buffer.alloc(size, 1));
    return { path, size, originalName, mimeType: 'video/mp4' };
  }
  const metadata = (extra: Partial<UploadMetadata> = {}): UploadMetadata => ({ name: 'my clip', channelId: CHANNEL, ...extra });

  return { root, layout, db, quota, clock, events, scheduled, publishedAsIs, wakes: () => wakes, seeding, moves, videos, receivedFile, metadata, bucket, scheduledAtPut };
}

type Setup = Awaited<ReturnType<typeof setup>>;

describe('video service (in-memory stores)', () => {
  let t: Setup;
  const cleanup: string[] = [];
  const start = async (options?: Parameters<typeof setup>[0]) => {
    t = await setup(options);
    cleanup.push(t.root);
    return t;
  };
  beforeEach(() => {
    cleanup.length = 0;
  });
  afterEach(async () => {
    for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  });

  describe('an accepted upload', () => {
    it('writes the video with its file and schedules its transcoding in the same unit of work', async () => {
      await start();
      const file = await t.receivedFile(1234);
      const result = await t.videos.acceptUpload(USER, t.metadata({ tags: ['one', 'two'] }), file);
      expect(result.ok).toBe(true);
      if (!result.ok) return;

      const row = t.db.videos.get(result.value.id)!;
      expect(row).toMatchObject({ uuid: result.value.uuid, name: 'my clip', channelId: CHANNEL, privacy: VideoPrivacy.PUBLIC, state: VideoState.TO_TRANSCODE, duration: 4, tags: ['one', 'two'] });
      expect(row.aspectRatio).toBeCloseTo(1.7778, 4);
      expect(row.files).toEqual([
        expect.objectContaining({ resolution: 360, width: 640, height: 360, fps: 25, size: 1234, extname: '.mp4', filename: `${row.uuid}-360.mp4`, torrentFilename: `${row.uuid}-360.torrent` }),
      ]);
      expect(t.scheduled).toEqual([{ videoId: row.id, tx: row.createdInTx }]);
      expect(t.publishedAsIs).toEqual([]);
      expect(t.wakes()).toBe(1);
      // the quota reservation went with the commit; the upload moved into the web videos folder
      expect(t.quota.reservations.size).toBe(0);
      expect(existsSync(t.layout.webVideo(`${row.uuid}-360.mp4`))).toBe(true);
      expect(existsSync(t.layout.torrent(`${row.uuid}-360.torrent`))).toBe(true);
      expect(existsSync(t.layout.thumbnail(`${row.uuid}.jpg`))).toBe(true);
      expect(existsSync(file.path)).toBe(false);
      // published (and seeded) only once transcoded
      expect(t.events).toEqual([]);
      expect(t.seeding.synced).toEqual([]);
    });

    it('is published and seeded at once when transcoding is off', async () => {
      await start({ transcodingEnabled: false });
      const result = await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile());
      if (!result.ok) throw new Error(result.reason.message);
      expect(t.db.videos.get(result.value.id)!.state).toBe(VideoState.PUBLISHED);
      expect(t.scheduled).toEqual([]);
      // what follows the publication (the move to object storage) is written in the transaction that creates it
      expect(t.publishedAsIs).toEqual([{ videoId: result.value.id, tx: t.db.videos.get(result.value.id)!.createdInTx }]);
      expect(t.events).toEqual([`published ${result.value.id}`]);
      expect(t.seeding.synced).toEqual([result.value.uuid]);
    });

    it('leaves no video, no file and no reservation when its transcoding cannot be scheduled', async () => {
      await start({ scheduleFails: true });
      const file = await t.receivedFile();
      await expect(t.videos.acceptUpload(USER, t.metadata(), file)).rejects.toThrow('job table unavailable');
      expect(t.db.videos.size).toBe(0);
      expect(t.db.transactor.rolledBack).toBe(1);
      expect(t.quota.reservations.size).toBe(0);
      for (const dir of [t.layout.storage.web_videos, t.layout.storage.torrents, t.layout.storage.thumbnails]) {
        expect((await readdir(dir)).filter((name) => name !== 'private'), dir).toEqual([]);
      }
      expect(existsSync(file.path)).toBe(false);
    });

    it('object storage: the original is in the bucket before the transcode job is written (any node may run it), then leaves the disk', async () => {
      await start({ objectStorage: true });
      const result = await t.videos.acceptUpload(USER, t.metadata({ privacy: VideoPrivacy.PRIVATE }), await t.receivedFile());
      if (!result.ok) throw new Error(result.reason.message);
      const filename = `${result.value.uuid}-360.mp4`;
      expect([...t.bucket]).toEqual([[filename, VideoPrivacy.PRIVATE]]);
      expect(t.scheduledAtPut).toEqual([0]);
      expect(t.scheduled).toHaveLength(1);
      expect(existsSync(layoutForPrivacy(t.layout, VideoPrivacy.PRIVATE).webVideo(filename))).toBe(false);
      // the torrent and images were made from the local copy before it went
      expect(existsSync(t.layout.torrent(`${result.value.uuid}-360.torrent`))).toBe(true);
    });

    it('object storage: an upload whose original cannot reach the bucket, or whose commit fails after it did, leaves nothing anywhere', async () => {
      for (const options of [{ objectStorage: true, putFails: true }, { objectStorage: true, scheduleFails: true }]) {
        await start(options);
        const file = await t.receivedFile();
        await expect(t.videos.acceptUpload(USER, t.metadata(), file)).rejects.toThrow(options.putFails ? 'bucket unreachable' : 'job table unavailable');
        expect(t.db.videos.size).toBe(0);
        expect(t.bucket.size).toBe(0);
        expect(t.scheduled).toEqual([]);
        expect(t.quota.reservations.size).toBe(0);
        for (const dir of [t.layout.storage.web_videos, t.layout.storage.torrents, t.layout.storage.thumbnails]) {
          expect((await readdir(dir)).filter((name) => name !== 'private'), dir).toEqual([]);
        }
        expect(existsSync(file.path)).toBe(false);
      }
    });

    it('goes to the private folders when uploaded private', async () => {
      await start();
      const result = await t.videos.acceptUpload(USER, t.metadata({ privacy: VideoPrivacy.PRIVATE }), await t.receivedFile());
      if (!result.ok) throw new Error(result.reason.message);
      const filename = `${result.value.uuid}-360.mp4`;
      expect(existsSync(layoutForPrivacy(t.layout, VideoPrivacy.PRIVATE).webVideo(filename))).toBe(true);
      expect(existsSync(t.layout.webVideo(filename))).toBe(false);
    });
  });

  describe('refusals', () => {
    it('refuses an upload to a channel of another user, and keeps nothing', async () => {
      await start();
      const file = await t.receivedFile();
      const result = await t.videos.acceptUpload(USER, t.metadata({ channelId: OTHER_CHANNEL }), file);
      expect(result).toEqual({ ok: false, reason: { type: 'not-your-channel', message: `channel ${OTHER_CHANNEL} does not exist or is not one of yours` } });
      expect(t.db.videos.size).toBe(0);
      expect(existsSync(file.path)).toBe(false);
    });

    it('refuses an upload over the quota, counting the videos already stored', async () => {
      await start({ quota: 2500 });
      const first = await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile(1500));
      expect(first.ok).toBe(true);
      const second = await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile(1500));
      expect(second).toEqual({ ok: false, reason: { type: 'quota-reached', message: 'The user video quota is exceeded with this video.' } });
      expect(t.db.videos.size).toBe(1);
      expect(t.quota.reservations.size).toBe(0);
      // what fits still passes
      expect((await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile(1000))).ok).toBe(true);
    });

    it('refuses over the daily quota, and accepts again the next day', async () => {
      await start({ dailyQuota: 1500 });
      expect((await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile(1000))).ok).toBe(true);
      const refused = await t.videos.checkUploadAllowed(USER, CHANNEL, 1000);
      expect(refused).toEqual({ ok: false, reason: { type: 'quota-reached', message: 'The user video daily quota is exceeded with this video.' } });
      t.clock.advance(24 * 3600_000 + 1);
      expect(await t.videos.checkUploadAllowed(USER, CHANNEL, 1000)).toEqual({ ok: true, value: undefined });
      expect(await t.videos.quotaUsed(USER)).toEqual({ total: 1000, daily: 0 });
    });

    it('refuses a file larger than the limit before storing anything', async () => {
      await start({ maxFileSize: 500 });
      expect(await t.videos.checkUploadAllowed(USER, CHANNEL, 501)).toMatchObject({ ok: false, reason: { type: 'too-large' } });
      expect(await t.videos.checkUploadAllowed(USER, OTHER_CHANNEL, 10)).toMatchObject({ ok: false, reason: { type: 'not-your-channel' } });
      const result = await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile(501));
      expect(result).toMatchObject({ ok: false, reason: { type: 'too-large' } });
      expect(t.db.videos.size).toBe(0);
    });

    it('refuses a file without audio or video', async () => {
      await start();
      const result = await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile());
      if (!result.ok) throw new Error(result.reason.message);
      // the same service with a probe that sees nothing
      const silent = await setup();
      cleanup.push(silent.root);
      Object.assign(probe, { hasVideo: false, hasAudio: false });
      try {
        const refused = await silent.videos.acceptUpload(USER, silent.metadata(), await silent.receivedFile());
        expect(refused).toMatchObject({ ok: false, reason: { type: 'unreadable-media', message: 'the file has no video or audio stream' } });
        expect(silent.quota.reservations.size).toBe(0);
      } finally {
        Object.assign(probe, { hasVideo: true, hasAudio: true });
      }
    });
  });

  describe('update', () => {
    it('changes the name and tells followers (updated)', async () => {
      await start({ transcodingEnabled: false });
      const up = await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile());
      if (!up.ok) throw new Error(up.reason.message);
      t.events.length = 0;
      expect(await t.videos.update(up.value.id, { name: 'renamed', description: null }, USER)).toEqual({ ok: true, value: undefined });
      expect(t.db.videos.get(up.value.id)).toMatchObject({ name: 'renamed', description: null, privacy: VideoPrivacy.PUBLIC });
      expect(t.events).toEqual([`updated ${up.value.id}`]);
      expect(t.moves).toEqual([]);
    });

    it('a privacy change across the private line moves the files instead of sending an update', async () => {
      await start({ transcodingEnabled: false });
      const up = await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile());
      if (!up.ok) throw new Error(up.reason.message);
      t.events.length = 0;
      await t.videos.update(up.value.id, { privacy: VideoPrivacy.PRIVATE }, USER);
      expect(t.db.videos.get(up.value.id)!.privacy).toBe(VideoPrivacy.PRIVATE);
      expect(t.moves).toEqual([{ videoId: up.value.id, uuid: up.value.uuid, toPrivate: true }]);
      expect(t.events).toEqual([]);
      // public ↔ unlisted does not cross the line: an ordinary update
      await t.videos.update(up.value.id, { privacy: VideoPrivacy.PUBLIC }, USER);
      await t.videos.update(up.value.id, { privacy: VideoPrivacy.UNLISTED }, USER);
      expect(t.moves).toHaveLength(2);
      expect(t.events).toEqual([`updated ${up.value.id}`]);
    });

    it('refuses moving the video to a channel that is not the user\'s', async () => {
      await start();
      const up = await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile());
      if (!up.ok) throw new Error(up.reason.message);
      const result = await t.videos.update(up.value.id, { channelId: OTHER_CHANNEL, name: 'stolen' }, USER);
      expect(result).toMatchObject({ ok: false, reason: { type: 'not-your-channel' } });
      expect(t.db.videos.get(up.value.id)).toMatchObject({ channelId: CHANNEL, name: 'my clip' });
    });
  });

  describe('delete', () => {
    it('tells followers first, then removes the row and every file', async () => {
      await start({ transcodingEnabled: false });
      const up = await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile());
      if (!up.ok) throw new Error(up.reason.message);
      const uuid = up.value.uuid;
      // an HLS folder as a transcode leaves it
      await mkdir(t.layout.hlsDir(uuid), { recursive: true });
      await writeFile(join(t.layout.hlsDir(uuid), 'master.m3u8'), '#EXTM3U');
      t.events.length = 0;

      await t.videos.remove(up.value.id);
      expect(t.events).toEqual([`deleting ${up.value.id}`]);
      expect(t.db.videos.size).toBe(0);
      expect(t.seeding.unseeded).toEqual([uuid]);
      for (const path of [t.layout.webVideo(`${uuid}-360.mp4`), t.layout.torrent(`${uuid}-360.torrent`), t.layout.thumbnail(`${uuid}.jpg`), t.layout.preview(`${uuid}.jpg`), t.layout.hlsDir(uuid)]) {
        expect(existsSync(path), path).toBe(false);
      }
      // a second delete finds nothing and says nothing
      await t.videos.remove(up.value.id);
      expect(t.events).toEqual([`deleting ${up.value.id}`]);
    });

    it('counts views per video and per day', async () => {
      await start();
      const up = await t.videos.acceptUpload(USER, t.metadata(), await t.receivedFile());
      if (!up.ok) throw new Error(up.reason.message);
      await t.videos.addView(up.value.id);
      await t.videos.addView(up.value.id);
      t.clock.advance(24 * 3600_000);
      await t.videos.addView(up.value.id);
      expect(t.db.videos.get(up.value.id)!.views).toBe(3);
      expect([...t.db.dailyViews]).toEqual([
        [`${up.value.id}|2026-12-07`, 2],
        [`${up.value.id}|2026-12-08`, 1],
      ]);
      expect(t.events).toEqual([`viewed ${up.value.id}`, `viewed ${up.value.id}`, `viewed ${up.value.id}`]);
    });
  });
});
