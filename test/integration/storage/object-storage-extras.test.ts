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

  it('PeerTube\'s /download/ routes answer moved files from the bucket (Range, attachment, bytes counted); a private video\'s need a token', async () => {
    const v = await details(uuid);
    const web = [...v.files].sort((x, y) => x.size - y.size)[0]!;
    const resolution = /-(\d+)\.mp4$/.exec(web.fileUrl)![1];
    const downloadUrl = `${a.url}/download/web-videos/${uuid}-${resolution}.mp4`;
    const before = JSON.stringify((await a.json<{ total: unknown }>(`/api/v1/server/transfers?videoId=${uuid}`)).total);
    const whole = await fetch(downloadUrl);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-disposition')).toBe(`attachment; filename="extras-${resolution}p.mp4"`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(await bytesOf(web.fileUrl))).toBe(true);
    const tail = await fetch(downloadUrl, { headers: { range: 'bytes=-100' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${web.size - 100}-${web.size - 1}/${web.size}`);
    await tail.arrayBuffer();
    expect(JSON.stringify((await a.json<{ total: unknown }>(`/api/v1/server/transfers?videoId=${uuid}`)).total)).not.toBe(before);
    // the HLS file, by short uuid too
    const hlsFile = v.streamingPlaylists[0]!.files[0]!;
    const hlsRes = /-(\d+)-fragmented\.mp4$/.exec(hlsFile.fileUrl)![1];
    const hls = await fetch(`${a.url}/download/streaming-playlists/hls/videos/${uuid}-${hlsRes}-fragmented.mp4`, { headers: { range: 'bytes=0-999' } });
    expect(hls.status).toBe(206);
    expect(hls.headers.get('content-disposition')).toBe(`attachment; filename="extras-${hlsRes}p-hls.mp4"`);
    expect(Buffer.from(await hls.arrayBuffer()).equals(await bytesOf(hlsFile.fileUrl, { headers: { range: 'bytes=0-999' } }))).toBe(true);
    expect((await fetch(`${a.url}/download/web-videos/${uuid}-4320.mp4`)).status).toBe(404);
    // downloadEnabled: false is a hint to clients (PeerTube's own hides its download button): as in
    // PeerTube (its videosDownloadValidator checks only the right to see the files, and its allow
    // filter answers yes unless a plugin says no), the /download/ routes still answer, to anyone
    const off = await a.api(`/api/v1/videos/${uuid}`, { method: 'PUT', body: JSON.stringify({ downloadEnabled: false }), headers: { 'content-type': 'application/json' } });
    expect(off.status).toBe(204);
    expect((await a.json<{ downloadEnabled: boolean }>(`/api/v1/videos/${uuid}`)).downloadEnabled).toBe(false);
    const stillWeb = await fetch(downloadUrl, { headers: { range: 'bytes=0-99' } });
    expect(stillWeb.status).toBe(206);
    expect(Buffer.from(await stillWeb.arrayBuffer()).equals(await bytesOf(web.fileUrl, { headers: { range: 'bytes=0-99' } }))).toBe(true);
    const stillHls = await fetch(`${a.url}/download/streaming-playlists/hls/videos/${uuid}-${hlsRes}-fragmented.mp4`, { method: 'HEAD' });
    expect(stillHls.status).toBe(200);
    expect((await a.api(`/api/v1/videos/${uuid}`, { method: 'PUT', body: JSON.stringify({ downloadEnabled: true }), headers: { 'content-type': 'application/json' } })).status).toBe(204);
    expect((await fetch(`${a.url}/download/web-videos/00000000-0000-4000-8000-000000000000-${resolution}.mp4`)).status).toBe(404);

    // a private video: its files under private/ in the bucket, downloadable only with a token
    const res = await a.uploadMultipart(await generatedClip({ seconds: 2 }), { name: 'secret', channelId: '1', privacy: '3' });
    const secret = ((await res.json()) as { video: { uuid: string } }).video.uuid;
    await waitFor('the private video moved', async () => ((await s3.keys('a-videos', `private/${secret}-`)).length === 2 && (await names(a.config.storage.thumbnails)).every((n) => !n.startsWith(secret)) ? true : undefined), 90_000);
    const secretFile = (await s3.keys('a-videos', `private/${secret}-`))[0]!;
    const secretUrl = `/download/web-videos/${secret}-${/-(\d+)\.mp4$/.exec(secretFile)![1]}.mp4`;
    expect((await fetch(`${a.url}${secretUrl}`)).status).toBe(401);
    const allowed = await a.api(secretUrl, { headers: { range: 'bytes=0-99' } });
    expect(allowed.status).toBe(206);
    expect(allowed.headers.get('cache-control')).toBe('private, no-store');
    expect(Buffer.from(await allowed.arrayBuffer()).equals(await bytesOf(`${s3.endpoint}/a-videos/${secretFile}`, { headers: { range: 'bytes=0-99' } }))).toBe(true);
    expect((await a.api(`/api/v1/videos/${secret}`, { method: 'DELETE' })).status).toBe(204);
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
    // the /download/ route answers from disk the same way
    const web = v.files[0]!;
    const fromDisk = await fetch(`${a.url}/download/web-videos/${uuid}-${/-(\d+)\.mp4$/.exec(web.fileUrl)![1]}.mp4`, { headers: { range: 'bytes=0-99' } });
    expect(fromDisk.status).toBe(206);
    expect(Buffer.from(await fromDisk.arrayBuffer()).equals(await bytesOf(web.fileUrl, { headers: { range: 'bytes=0-99' } }))).toBe(true);

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

  it('a privacy change retargets the torrents in the bucket: private → our private routes, no base_url; public again → the base_url', async () => {
    const setPrivacy = async (privacy: number) => expect((await a.api(`/api/v1/videos/${uuid}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ privacy }) })).status).toBe(204);
    const torrentOf = async (url: string) => {
      const t = readTorrentInfo(await bytesOf(url));
      if (!t.ok) throw new Error(`unreadable torrent ${url}`);
      return t.value.urlList;
    };
    await setPrivacy(3);
    const hidden = await details(uuid);
    for (const f of allFiles(hidden)) {
      expect(f.torrentUrl).toBe(`${a.url}/lazy-static/torrents/${nameOf(f.torrentUrl)}`);
      expect(f.fileUrl.startsWith(`${a.url}/static/`) && f.fileUrl.includes('/private/')).toBe(true);
      expect(await torrentOf(f.torrentUrl)).toEqual([f.fileUrl]);
    }
    await setPrivacy(1);
    for (const f of allFiles(await details(uuid))) {
      expect(f.torrentUrl.startsWith(`${s3.endpoint}/a-torrents/`)).toBe(true);
      expect(await torrentOf(f.torrentUrl)).toEqual([f.fileUrl]);
    }
  });

  it('deleting the video removes its images and torrents from the buckets', async () => {
    expect((await a.api(`/api/v1/videos/${uuid}`, { method: 'DELETE' })).status).toBe(204);
    expect(await s3.keys('a-thumbnails')).toEqual([]);
    expect(await s3.keys('a-torrents')).toEqual([]);
    expect((await s3.keys('a-videos')).filter((k) => k.startsWith(uuid))).toEqual([]);
  });
});
