import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { storageMove } from '../../../src/cli/storage-move.js';
import { readTorrentInfo } from '../../../src/p2p/index.js';
import { startTestS3, type TestS3 } from './s3-server.js';

/**
 * Thumbnails, previews and torrents in object storage (PeerTube's opt-in `object_storage.thumbnails`
 * and `object_storage.torrents`), and webseeds at the base_url: against a real S3 API (s3rver).
 */
interface File {
  fileUrl: string;
  size: number;
  torrentUrl: string;
  torrentDownloadUrl: string;
  magnetUri: string;
}
interface Details {
  uuid: string;
  thumbnailPath: string;
  previewPath: string;
  files: File[];
  streamingPlaylists: { files: File[] }[];
}
interface VideoObject {
  icon: { url: string }[];
  url: { mediaType: string; href: string }[];
}

describe('object storage: thumbnails, previews, torrents; webseeds at base_url (s3rver)', () => {
  let s3: TestS3;
  let a: TestInstance;
  let uuid = '';
  const details = (id: string) => a.json<Details>(`/api/v1/videos/${id}`);
  const names = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  const bytesOf = async (url: string, init?: RequestInit) => {
    const res = await fetch(url, init);
    expect(res.status, url).toBeLessThan(300);
    return Buffer.from(await res.arrayBuffer());
  };
  const allFiles = (v: Details) => [...v.streamingPlaylists.flatMap((p) => p.files), ...v.files];
  const nameOf = (url: string) => url.split('/').pop()!;

  beforeAll(async () => {
    s3 = await startTestS3(['a']);
    a = await startTestInstance({
      db: 'embedded',
      overrides: { object_storage: s3.configFor('a', { playlistsBaseUrl: true, webVideosBaseUrl: true, extras: true }), transcoding: { web_videos: { enabled: true } } },
    });
  });
  afterAll(async () => {
    await a?.stop();
    await s3?.close();
  });

  it('after transcoding the thumbnail, preview and torrents move to their buckets; REST and ActivityPub point where they are', async () => {
    const res = await a.uploadMultipart(await generatedClip({ seconds: 3 }), { name: 'extras', channelId: '1', privacy: '1' });
    expect(res.status).toBe(200);
    uuid = ((await res.json()) as { video: { uuid: string } }).video.uuid;
    await a.waitForPublished(uuid);
    // the move commits, then deletes the local copies
    const local = async () => [...(await names(a.config.storage.thumbnails)), ...(await names(a.config.storage.torrents))].filter((n) => n.startsWith(uuid));
    await waitFor('the move done', async () => ((await s3.keys('a-torrents', uuid)).length === 4 && (await s3.keys('a-thumbnails')).length === 2 && (await local()).length === 0 ? true : undefined), 90_000);
    const v = await details(uuid);
    const image = nameOf(v.thumbnailPath);
    expect(await s3.keys('a-thumbnails')).toEqual([image, `previews/${nameOf(v.previewPath)}`].sort());
    // nothing of them left on disk
    expect(await names(a.config.storage.thumbnails)).not.toContain(image);
    expect(await names(a.config.storage.previews)).not.toContain(nameOf(v.previewPath));
    expect((await names(a.config.storage.torrents)).filter((n) => n.startsWith(uuid))).toEqual([]);

    // REST paths (PeerTube's: paths on our host) answer from the bucket through our routes
    expect(v.thumbnailPath).toBe(`/lazy-static/thumbnails/${image}`);
    const thumb = await bytesOf(`${a.url}${v.thumbnailPath}`);
    expect(thumb.equals(await bytesOf(`${s3.endpoint}/a-thumbnails/${image}`))).toBe(true);
    expect(thumb.subarray(0, 2).toString('hex')).toBe('ffd8');
    const preview = await bytesOf(`${a.url}${v.previewPath}`);
    expect(preview.equals(await bytesOf(`${s3.endpoint}/a-thumbnails/previews/${nameOf(v.previewPath)}`))).toBe(true);

    // torrents: torrentUrl at the bucket's base_url; torrentDownloadUrl our /download/ route, proxied
    const files = allFiles(v);
    expect(files).toHaveLength(4);
    for (const f of files) {
      expect(f.torrentUrl).toBe(`${s3.endpoint}/a-torrents/${nameOf(f.torrentUrl)}`);
      expect(f.torrentDownloadUrl).toBe(`${a.url}/download/torrents/${nameOf(f.torrentUrl)}`);
      const fromBucket = await bytesOf(f.torrentUrl);
      expect((await bytesOf(f.torrentDownloadUrl)).equals(fromBucket)).toBe(true);
      expect((await bytesOf(`${a.url}/lazy-static/torrents/${nameOf(f.torrentUrl)}`)).equals(fromBucket)).toBe(true);
      expect(decodeURIComponent(f.magnetUri)).toContain(f.torrentUrl);
    }

    // ActivityPub: the icons and torrent links name the buckets' base URLs
    const ap = (await (await fetch(`${a.url}/videos/watch/${uuid}`, { headers: { accept: 'application/activity+json' } })).json()) as VideoObject;
    expect(ap.icon.map((i) => i.url)).toEqual([`${s3.endpoint}/a-thumbnails/${image}`, `${s3.endpoint}/a-thumbnails/previews/${nameOf(v.previewPath)}`]);
    // (the HLS files' links are in the playlist link's tag)
    const links = (list: VideoObject['url']): VideoObject['url'] => list.flatMap((u) => [u, ...links((u as { tag?: VideoObject['url'] }).tag ?? [])]);
    const torrentLinks = links(ap.url).filter((u) => u.mediaType === 'application/x-bittorrent').map((u) => u.href);
    expect(torrentLinks.sort()).toEqual(files.map((f) => f.torrentUrl).sort());
  });

  it('webseeds at the base_url: each torrent\'s url-list names the file in its bucket, which serves its bytes', async () => {
    const v = await details(uuid);
    for (const f of allFiles(v)) {
      const torrent = readTorrentInfo(await bytesOf(f.torrentUrl));
      if (!torrent.ok) throw new Error(`unreadable torrent ${f.torrentUrl}`);
      expect(torrent.value.urlList).toEqual([f.fileUrl]);
      expect(f.fileUrl.startsWith(`${s3.endpoint}/a-videos/`) || f.fileUrl.startsWith(`${s3.endpoint}/a-playlists/${uuid}/`)).toBe(true);
      const seed = await fetch(torrent.value.urlList[0]!, { headers: { range: 'bytes=0-1023' } });
      expect(seed.status).toBe(206);
      const bucket = f.fileUrl.startsWith(`${s3.endpoint}/a-videos/`) ? 'a-videos' : `a-playlists/${uuid}`;
      expect(Buffer.from(await seed.arrayBuffer()).equals(await bytesOf(`${s3.endpoint}/${bucket}/${nameOf(f.fileUrl)}`, { headers: { range: 'bytes=0-1023' } }))).toBe(true);
      expect(decodeURIComponent(f.magnetUri)).toContain(`ws=${f.fileUrl}`);
    }
  });

  it('storage move back to the file system brings them home (webseeds our /static/ routes), and forth again', async () => {
    const port = a.instance.storageMove!;
    const run = (to: 'filesystem' | 'object-storage') => storageMove({ port, to, out: () => {}, err: () => {} });
    expect(await run('filesystem')).toBe(0);
    expect(await s3.keys('a-thumbnails')).toEqual([]);
    expect(await s3.keys('a-torrents')).toEqual([]);
    const v = await details(uuid);
    expect(await names(a.config.storage.thumbnails)).toContain(nameOf(v.thumbnailPath));
    for (const f of allFiles(v)) {
      expect(f.torrentUrl).toBe(`${a.url}/lazy-static/torrents/${nameOf(f.torrentUrl)}`);
      expect(f.fileUrl.startsWith(`${a.url}/static/`)).toBe(true);
      const torrent = readTorrentInfo(await bytesOf(f.torrentUrl));
      if (!torrent.ok) throw new Error('unreadable torrent');
      expect(torrent.value.urlList).toEqual([f.fileUrl]);
    }
    const ap = (await (await fetch(`${a.url}/videos/watch/${uuid}`, { headers: { accept: 'application/activity+json' } })).json()) as VideoObject;
    expect(ap.icon[0]!.url).toBe(`${a.url}${v.thumbnailPath}`);

    expect(await run('object-storage')).toBe(0);
    expect((await s3.keys('a-torrents', uuid)).length).toBe(4);
    expect((await s3.keys('a-thumbnails')).length).toBe(2);
    const again = await details(uuid);
    for (const f of allFiles(again)) {
      expect(f.torrentUrl.startsWith(`${s3.endpoint}/a-torrents/`)).toBe(true);
      const torrent = readTorrentInfo(await bytesOf(f.torrentUrl));
      if (!torrent.ok) throw new Error('unreadable torrent');
      expect(torrent.value.urlList).toEqual([f.fileUrl]);
    }
  });

  it('deleting the video removes its images and torrents from the buckets', async () => {
    expect((await a.api(`/api/v1/videos/${uuid}`, { method: 'DELETE' })).status).toBe(204);
    expect(await s3.keys('a-thumbnails')).toEqual([]);
    expect(await s3.keys('a-torrents')).toEqual([]);
    expect((await s3.keys('a-videos')).filter((k) => k.startsWith(uuid))).toEqual([]);
  });
});
