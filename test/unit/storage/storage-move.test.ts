import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import type { Tx } from '../../../src/lib/tx.js';
import { createFolderObjectStore, createObjectStorage, type ObjectAcl, type ObjectStore } from '../../../src/storage/index.js';
import { createStorageMove } from '../../../src/videos/object-storage-move.js';
import type { MovedUrls, ObjectStorageStore, StoredVideoFiles } from '../../../src/videos/object-storage-store.js';
import { createStorageLayout } from '../../../src/videos/storage-layout.js';
import { createInstanceUrls } from '../../../src/lib/instance-urls.js';
import { p2pMediaLoaderInfohashes } from '../../../src/transcoding/index.js';

/** The move over a real folder "bucket" and an in-memory store of rows; every put's ACL recorded. */
function recordingStore(inner: ObjectStore, acls: Map<string, ObjectAcl>): ObjectStore {
  return {
    ...inner,
    put: async (kind, key, source, options) => {
      acls.set(`${kind}/${key}`, options.acl);
      await inner.put(kind, key, source, options);
    },
    copy: async (kind, from, to, acl) => {
      acls.set(`${kind}/${to}`, acl);
      await inner.copy(kind, from, to, acl);
    },
  };
}

describe('storage move (file system ⇄ object storage)', () => {
  let root: string;
  let acls: Map<string, ObjectAcl>;
  let video: StoredVideoFiles;
  let urls: MovedUrls | null | 'unset';
  let privacyDuringMove: number | null;
  let swarm: string[] | null = null;
  /** what the store lists as still to move (video 1 is the only one with rows) */
  let pendingIds: number[] = [];
  const tx = {} as Tx;

  const setup = (baseUrl: string) => {
    const loaded = loadConfig({
      cwd: root,
      extra: [{ name: 't', data: { object_storage: { enabled: true, endpoint: 'http://s3.invalid', streaming_playlists: { bucket_name: 'pls', prefix: '', base_url: baseUrl } } } }],
    });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const layout = createStorageLayout(loaded.config.storage);
    const objects = createObjectStorage(loaded.config.object_storage, recordingStore(createFolderObjectStore(join(root, 'bucket')), acls));
    const store: ObjectStorageStore = {
      files: async (id) => (id === video.id ? video : null),
      toMove: async (_to, afterId, limit) => pendingIds.filter((id) => id > afterId).slice(0, limit),
      countToMove: async () => 0,
      underVideoLock: async (_id, work) => work(privacyDuringMove ?? video.privacy, tx),
      markInObjectStorage: async (_id, u, _tx, ids) => {
        urls = u;
        swarm = ids;
        video = { ...video, inObjectStorage: true };
      },
      markOnFilesystem: async (_id, _tx, ids) => {
        urls = 'unset';
        swarm = ids;
        video = { ...video, inObjectStorage: false };
      },
    };
    const unseeded: string[] = [];
    const move = createStorageMove({ objects, store, layout, urls: createInstanceUrls({ https: true, hostname: 'mt.example', port: 443 }), logger: createLogger({ level: 'silent' }), seeding: { syncVideo: async () => {}, unseedVideo: async (u) => void unseeded.push(u) } });
    return { layout, objects, move, unseeded };
  };

  const writeVideo = async (layout: ReturnType<typeof createStorageLayout>, hlsDir: string, webDir: string) => {
    await mkdir(hlsDir, { recursive: true });
    await mkdir(webDir, { recursive: true });
    await writeFile(join(hlsDir, 'm.m3u8'), '#EXTM3U\n');
    await writeFile(join(hlsDir, 'u1-240-fragmented.mp4'), Buffer.alloc(1000, 7));
    await writeFile(join(hlsDir, 'u1-segments-sha256.json'), '{}');
    await writeFile(join(webDir, 'u1-240.mp4'), Buffer.alloc(500, 9));
    void layout;
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mt-move-'));
    acls = new Map();
    pendingIds = [];
    urls = 'unset';
    privacyDuringMove = null;
    video = {
      id: 1,
      uuid: 'u1',
      privacy: 1,
      state: 1,
      inObjectStorage: false,
      thumbnailFilename: null,
      previewFilename: null,
      webVideos: [{ id: 10, filename: 'u1-240.mp4', torrentFilename: null }],
      hls: { id: 2, playlistFilename: 'm.m3u8', segmentsSha256Filename: 'u1-segments-sha256.json', files: [{ id: 11, filename: 'u1-240-fragmented.mp4', torrentFilename: null }] },
    };
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('public: uploaded public-read, URLs at base_url, local files gone after the commit; a second run does nothing; and back', async () => {
    const { layout, objects, move, unseeded } = setup('https://cdn.example.com/pl');
    await writeVideo(layout, layout.hlsDir('u1'), layout.storage.web_videos);
    expect((await move.toObjectStorage(1)).type).toBe('completed');
    expect((await objects.store.list('streaming_playlists', 'u1/')).map((o) => o.key)).toEqual(['u1/m.m3u8', 'u1/u1-240-fragmented.mp4', 'u1/u1-segments-sha256.json']);
    expect([...acls.values()].every((a) => a === 'public')).toBe(true);
    expect(urls).toEqual({
      hls: {
        playlistUrl: 'https://cdn.example.com/pl/u1/m.m3u8',
        segmentsSha256Url: 'https://cdn.example.com/pl/u1/u1-segments-sha256.json',
        files: [{ id: 11, fileUrl: 'https://cdn.example.com/pl/u1/u1-240-fragmented.mp4' }],
      },
      webVideos: [],
    });
    // the swarm ids follow the master URL players load now (PeerTube derives them from it)
    expect(swarm).toEqual(p2pMediaLoaderInfohashes('https://cdn.example.com/pl/u1/m.m3u8', 1));
    expect(await readdir(layout.hlsRoot)).toEqual([]);
    expect(await readdir(layout.storage.web_videos)).toEqual([]);
    expect(unseeded).toEqual(['u1']);
    expect((await move.toObjectStorage(1)).type).toBe('skipped');

    // back to the file system: the same bytes, the objects gone, the rows without URLs
    expect((await move.toFilesystem(1)).type).toBe('completed');
    expect((await readFile(join(layout.hlsDir('u1'), 'u1-240-fragmented.mp4'))).equals(Buffer.alloc(1000, 7))).toBe(true);
    expect((await readFile(layout.webVideo('u1-240.mp4'))).length).toBe(500);
    expect(await objects.store.list('streaming_playlists', '')).toEqual([]);
    expect(await objects.store.list('web_videos', '')).toEqual([]);
    expect(urls).toBe('unset');
    expect(swarm).toEqual(p2pMediaLoaderInfohashes('https://mt.example/static/streaming-playlists/hls/u1/m.m3u8', 1));
  });

  it('private: objects under private/ with the private ACL, no public URL', async () => {
    video = { ...video, privacy: 3 };
    const { layout, objects, move } = setup('https://cdn.example.com/pl');
    await writeVideo(layout, join(layout.hlsRoot, 'private', 'u1'), join(layout.storage.web_videos, 'private'));
    expect((await move.toObjectStorage(1)).type).toBe('completed');
    expect((await objects.store.list('streaming_playlists', '')).every((o) => o.key.startsWith('private/u1/'))).toBe(true);
    expect((await objects.store.list('web_videos', '')).map((o) => o.key)).toEqual(['private/u1-240.mp4']);
    expect(acls.size).toBe(4);
    expect([...acls.values()].every((a) => a === 'private')).toBe(true);
    expect(urls).toBeNull();

    // made public: objects move to the public keys with the public ACL
    video = { ...video, privacy: 1 };
    acls.clear();
    await move.relocate(1);
    expect((await objects.store.list('streaming_playlists', '')).map((o) => o.key)).toEqual(['u1/m.m3u8', 'u1/u1-240-fragmented.mp4', 'u1/u1-segments-sha256.json']);
    expect((await objects.store.list('web_videos', '')).map((o) => o.key)).toEqual(['u1-240.mp4']);
    expect([...acls.values()].every((a) => a === 'public')).toBe(true);
  });

  it('a privacy change during the upload: nothing recorded, the uploaded objects removed, the job fails to run again', async () => {
    const { layout, objects, move } = setup('');
    await writeVideo(layout, layout.hlsDir('u1'), layout.storage.web_videos);
    privacyDuringMove = 3;
    await expect(move.toObjectStorage(1)).rejects.toThrow(/privacy changed/);
    expect(await objects.store.list('streaming_playlists', '')).toEqual([]);
    expect(await objects.store.list('web_videos', '')).toEqual([]);
    expect(urls).toBe('unset');
    expect(await readdir(layout.hlsDir('u1'))).toHaveLength(3);
  });

  it('a transcode rerun whose web-video names changed: the older web videos leave the bucket (public and private keys), the current ones stay', async () => {
    const { layout, objects, move } = setup('');
    await writeVideo(layout, layout.hlsDir('u1'), layout.storage.web_videos);
    expect((await move.toObjectStorage(1)).type).toBe('completed');
    // an older run's leftovers beside it (and another video's object that must stay)
    await objects.store.put('web_videos', 'private/u1-720.mp4', { body: Buffer.from('old') }, { acl: 'private', contentType: 'video/mp4' });
    await objects.store.put('web_videos', 'u2-240.mp4', { body: Buffer.from('other') }, { acl: 'public', contentType: 'video/mp4' });
    // the rerun: its outputs are on disk under new names (the upload was a 240p webm), the rows name them
    await writeVideo(layout, layout.hlsDir('u1'), layout.storage.web_videos);
    await writeFile(join(layout.storage.web_videos, 'u1-144.mp4'), Buffer.alloc(300, 1));
    video = { ...video, webVideos: [{ id: 20, filename: 'u1-144.mp4', torrentFilename: null }, { id: 21, filename: 'u1-240.mp4', torrentFilename: null }] };
    await objects.store.put('web_videos', 'u1-240.webm', { body: Buffer.from('upload') }, { acl: 'public', contentType: 'video/webm' });
    expect((await move.toObjectStorage(1)).type).toBe('completed');
    expect((await objects.store.list('web_videos', '')).map((o) => o.key).sort()).toEqual(['u1-144.mp4', 'u1-240.mp4', 'u2-240.mp4']);

    // the video deleted: every object named after it goes, older ones included
    await objects.store.put('web_videos', 'u1-1080.mp4', { body: Buffer.from('old') }, { acl: 'public', contentType: 'video/mp4' });
    await move.removeObjects({ uuid: 'u1', webVideos: ['u1-144.mp4'] });
    expect((await objects.store.list('web_videos', '')).map((o) => o.key)).toEqual(['u2-240.mp4']);
    expect(await objects.store.list('streaming_playlists', '')).toEqual([]);
  });

  it('a move left undone is found again by the node whose disk holds the files, and only there', async () => {
    const { layout, move } = setup('');
    pendingIds = [1, 2];
    // the files are on another node's disk (and video 2 has no rows any more)
    expect(await move.pendingHere()).toEqual([]);
    await writeVideo(layout, layout.hlsDir('u1'), layout.storage.web_videos);
    expect(await move.pendingHere()).toEqual([1]);
    expect((await move.toObjectStorage(1)).type).toBe('completed');
    // moved: nothing left to resume, even while the store still lists it
    expect(await move.pendingHere()).toEqual([]);
  });

  it('missing local files of a video not in object storage: an error, nothing recorded', async () => {
    const { move } = setup('');
    await expect(move.toObjectStorage(1)).rejects.toThrow(/missing on this node \(they are on the disk of the node that transcoded it.*storage move --to object-storage/);
    expect(urls).toBe('unset');
  });
});
