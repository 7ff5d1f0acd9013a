import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTorrentInfo } from '../../../src/p2p/index.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { downloadWithWebTorrent } from '../../support/webtorrent.js';

interface HlsFile {
  fileUrl: string;
  torrentUrl: string;
  torrentDownloadUrl: string;
  magnetUri: string;
}
interface Details {
  streamingPlaylists: { redundancies: { baseUrl: string }[]; files: HlsFile[] }[];
}

const MIRROR_POLICY = {
  redundancy: {
    min_lifetime_floor: '1 second',
    videos: { check_interval: '1 second', strategies: [{ strategy: 'most-views', size: '50MB', min_lifetime: '1 hour' }] },
  },
};
const AP = { accept: 'application/activity+json' };

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const filenameOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
const xtOf = (magnet: string) => /xt=urn:btih:([0-9a-f]{40})/.exec(magnet)?.[1];

async function torrentAt(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  const body = Buffer.from(await res.arrayBuffer());
  const info = readTorrentInfo(body);
  return { res, body, info: info.ok ? info.value : undefined };
}

/**
 * The origin side of redundancy, as BitTorrent clients and other instances see it: A's .torrent
 * files name B's copy as a webseed while B holds a healthy copy (same infohash), and B serves
 * the CacheFile of its copy on GET of its id.
 */
describe('origin torrents list healthy mirrors as webseeds; the mirror serves its CacheFile', () => {
  let a: TestInstance;
  let b: TestInstance;
  let uuid = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const hlsFiles = async () => (await a.json<Details>(`/api/v1/videos/${uuid}`)).streamingPlaylists[0]!.files;
  const copyUrl = (file: HlsFile) => `${b.url}/static/redundancy/hls/${uuid}/${filenameOf(file.fileUrl)}`;
  const setAllowed = (allowed: boolean) =>
    b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: allowed }) });
  /** B copies, announces; A probes the copy and lists it */
  const mirrorAndWaitListed = async () => {
    await b.instance.scheduler.runNow('redundancy-plan');
    await waitFor('the copy on B', async () => ((await b.instance.prisma.videoRedundancy.count({ where: { state: 'active' } })) === 1 ? true : undefined), 60_000);
    await waitFor('the copy probed and listed on A', async () => {
      await a.instance.scheduler.runNow('redundancy-probe');
      const v = await a.json<Details>(`/api/v1/videos/${uuid}`);
      return v.streamingPlaylists[0]!.redundancies.length === 1 ? true : undefined;
    }, 60_000, 250);
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestInstance({ db: 'postgres' }), startTestInstance({ db: 'embedded', overrides: MIRROR_POLICY })]);
    const follow = await b.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) });
    expect(follow.status).toBe(204);
    uuid = ((await (await a.uploadMultipart(await generatedClip(), { name: 'served with mirrors', channelId: '1' })).json()) as { video: { uuid: string } }).video.uuid;
    await a.waitForPublished(uuid);
    await waitFor('the video on B', () => b.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((i) => i.stop()));
  });

  it('without a mirror, A serves its torrents as stored', async () => {
    const files = await hlsFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const stored = await readFile(join(a.config.storage.torrents, filenameOf(file.torrentUrl)));
      const { res, body, info } = await torrentAt(file.torrentUrl);
      expect(res.status).toBe(200);
      expect(body.equals(stored)).toBe(true);
      expect(info?.urlList).toEqual([file.fileUrl]);
    }
  });

  it('once B holds a healthy copy, each of A\'s HLS torrents lists it after A\'s own URL, with the same infohash', async () => {
    expect((await setAllowed(true)).status).toBe(204);
    await mirrorAndWaitListed();
    const files = await hlsFiles();
    for (const file of files) {
      const stored = readTorrentInfo(await readFile(join(a.config.storage.torrents, filenameOf(file.torrentUrl))));
      if (!stored.ok) throw new Error('unreadable stored torrent');
      // the magnet agrees (it already listed healthy mirrors)
      expect(decodeURIComponent(file.magnetUri)).toContain(`ws=${copyUrl(file)}`);
      for (const url of [file.torrentUrl, file.torrentDownloadUrl]) {
        const { res, body, info } = await torrentAt(url);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/x-bittorrent');
        expect(Number(res.headers.get('content-length'))).toBe(body.length);
        expect(info?.urlList).toEqual([file.fileUrl, copyUrl(file)]);
        expect(info?.infoHash).toBe(xtOf(file.magnetUri));
        expect(info?.infoHash).toBe(stored.value.infoHash);
        expect({ ...info, urlList: [] }).toEqual({ ...stored.value, urlList: [] });
      }
      // B's URL of the file is a webseed of the same bytes
      const [ours, theirs] = await Promise.all([file.fileUrl, copyUrl(file)].map(async (u) => Buffer.from(await (await fetch(u)).arrayBuffer())));
      expect(theirs!.length).toBeGreaterThan(0);
      expect(sha256(theirs!)).toBe(sha256(ours!));
    }
  });

  it('the rewritten torrent answers HEAD, If-None-Match and Range consistently', async () => {
    const file = (await hlsFiles())[0]!;
    const { res, body } = await torrentAt(file.torrentUrl);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    // not the stored file's validator: the body differs from the file
    expect(res.headers.get('last-modified')).toBeNull();

    const head = await fetch(file.torrentUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
    expect(Number(head.headers.get('content-length'))).toBe(body.length);
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    expect((await fetch(file.torrentUrl, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const part = await fetch(file.torrentUrl, { headers: { range: 'bytes=5-14' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 5-14/${body.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(5, 15))).toBe(true);
    // a range against another version of the body is answered whole
    const stale = await fetch(file.torrentUrl, { headers: { range: 'bytes=5-14', 'if-range': '"stale"' } });
    expect(stale.status).toBe(200);
    expect(Buffer.from(await stale.arrayBuffer()).equals(body)).toBe(true);
  });

  it('B serves the CacheFile of its copy on GET of its id, as PeerTube does', async () => {
    const id = `${b.url}/redundancy/streaming-playlists/hls/${uuid}`;
    const res = await fetch(id, { headers: AP });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/activity+json');
    const document = (await res.json()) as Record<string, unknown>;
    const row = await b.instance.prisma.videoRedundancy.findFirstOrThrow({ where: { state: 'active' } });
    expect(row.expiresOn).not.toBeNull();
    const captured = JSON.parse(await readFile(join(PEERTUBE_REAL_DIR, 'ap-cachefile-hls-get-9001-numeric-type-route.json'), 'utf8')) as Record<string, unknown>;
    expect(document).toEqual({
      '@context': captured['@context'],
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${b.url}/accounts/peertube/followers`],
      id,
      type: 'CacheFile',
      object: `${a.url}/videos/watch/${uuid}`,
      expires: row.expiresOn!.toISOString(),
      url: { type: 'Link', mediaType: 'application/x-mpegURL', href: `${b.url}/static/redundancy/hls/${uuid}` },
    });
    // PeerTube's field order, field by field
    expect(Object.keys(document)).toEqual(Object.keys(captured));
    expect(Object.keys(document.url as object)).toEqual(Object.keys(captured.url as object));

    // the same object as the one B announced to A (only the audience differs: that one was sent to A's account)
    const created = await a.instance.prisma.inboxActivity.findFirstOrThrow({ where: { type: 'Create', actorUrl: `${b.url}/accounts/peertube` }, orderBy: { id: 'desc' } });
    const announced = (created.payload as { object: Record<string, unknown> }).object;
    const { to: _to, cc: _cc, ...announcedRest } = announced;
    const { '@context': _context, to: _to2, cc: _cc2, ...servedRest } = document;
    expect(servedRest).toEqual(announcedRest);

    // PeerTube's own route spells the playlist type as a number
    expect(await (await fetch(`${b.url}/redundancy/streaming-playlists/1/${uuid}`, { headers: AP })).json()).toEqual(document);
  });

  it('answers 404 for a CacheFile we do not hold', async () => {
    const unknown = '9c034b30-c3ba-4d72-87cb-2c4b81391e52';
    expect((await fetch(`${b.url}/redundancy/streaming-playlists/hls/${unknown}`, { headers: AP })).status).toBe(404);
    expect((await fetch(`${b.url}/redundancy/streaming-playlists/hls/not-a-uuid`, { headers: AP })).status).toBe(404);
    expect((await fetch(`${b.url}/redundancy/streaming-playlists/dash/${uuid}`, { headers: AP })).status).toBe(404);
    // A has no copy of its own video: B's is not A's CacheFile
    expect((await fetch(`${a.url}/redundancy/streaming-playlists/hls/${uuid}`, { headers: AP })).status).toBe(404);
  });

  it('once B withdraws its copy, A\'s torrents list no mirror again and are served as stored', async () => {
    expect((await setAllowed(false)).status).toBe(204);
    const files = await hlsFiles();
    for (const file of files) {
      const stored = await readFile(join(a.config.storage.torrents, filenameOf(file.torrentUrl)));
      await waitFor('the mirror gone from A\'s torrent', async () => {
        const { body } = await torrentAt(file.torrentUrl);
        return body.equals(stored) ? true : undefined;
      }, 30_000);
      const { res, info } = await torrentAt(file.torrentDownloadUrl);
      expect(info?.urlList).toEqual([file.fileUrl]);
      expect(res.headers.get('last-modified')).not.toBeNull();
    }
    expect((await fetch(`${b.url}/redundancy/streaming-playlists/hls/${uuid}`, { headers: AP })).status).toBe(404);
  });

  it('with A\'s torrent and A stopped, a WebTorrent client downloads the file from B\'s copy', async () => {
    expect((await setAllowed(true)).status).toBe(204);
    await mirrorAndWaitListed();
    const file = (await hlsFiles())[0]!;
    const { body: torrent, info } = await torrentAt(file.torrentUrl);
    expect(info?.urlList).toEqual([file.fileUrl, copyUrl(file)]);
    const expected = sha256(Buffer.from(await (await fetch(file.fileUrl)).arrayBuffer()));
    // A's tracker, seeder and webseed are gone: only B's webseed can deliver
    await a.stop();
    a = undefined as unknown as TestInstance;
    const { data } = await downloadWithWebTorrent(torrent);
    expect(sha256(data)).toBe(expected);
  });
});
