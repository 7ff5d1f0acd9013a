import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFully, ffprobeJson, generatedClip } from '../../support/media.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { downloadWithWebTorrent } from '../../support/webtorrent.js';

interface VideoDetails {
  id: number;
  uuid: string;
  shortUUID: string;
  name: string;
  state: { id: number; label: string };
  duration: number;
  tags: string[];
  files: { fileUrl: string; torrentUrl: string; resolution: { id: number } }[];
  streamingPlaylists: {
    type: number;
    playlistUrl: string;
    segmentsSha256Url: string;
    redundancies: unknown[];
    files: { resolution: { id: number }; fileUrl: string; torrentUrl: string; magnetUri: string; size: number; fps: number }[];
  }[];
}

/** Every byte range in segments-sha256.json hashes to its value in the served file. */
async function checkSegmentHashes(video: VideoDetails): Promise<number> {
  const playlist = video.streamingPlaylists[0]!;
  const sha = (await (await fetch(playlist.segmentsSha256Url)).json()) as Record<string, Record<string, string>>;
  const base = playlist.playlistUrl.slice(0, playlist.playlistUrl.lastIndexOf('/') + 1);
  let checked = 0;
  for (const [filename, ranges] of Object.entries(sha)) {
    const bytes = Buffer.from(await (await fetch(base + filename)).arrayBuffer());
    for (const [range, hash] of Object.entries(ranges)) {
      const [start, end] = range.split('-').map(Number) as [number, number];
      expect(createHash('sha256').update(bytes.subarray(start, end + 1)).digest('hex'), `${filename} ${range}`).toBe(hash);
      checked++;
    }
  }
  return checked;
}

describe('upload → transcode → serve → torrent (PostgreSQL)', () => {
  let t: TestInstance;
  beforeAll(async () => {
    t = await startTestInstance({ db: 'postgres' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  for (const protocol of ['multipart', 'resumable'] as const) {
    it(`${protocol} upload is listed at once, transcoded to HLS that decodes and whose hashes match`, async () => {
      const clip = await generatedClip({ seconds: 3, width: 320, height: 240 });
      const res =
        protocol === 'multipart'
          ? await t.uploadMultipart(clip, { name: `clip ${protocol}`, channelId: '1', privacy: '1', tags: ['one', 'two'] })
          : await t.uploadResumable(clip, { name: `clip ${protocol}`, channelId: 1, privacy: 1, tags: ['one', 'two'] }, { chunkSize: 64 * 1024 });
      expect(res.status).toBe(200);
      const { video } = (await res.json()) as { video: { id: number; uuid: string; shortUUID: string } };

      // As in PeerTube, the uploaded file is listed right away with its torrent.
      const early = await t.json<VideoDetails>(`/api/v1/videos/${video.shortUUID}`);
      expect(early.uuid).toBe(video.uuid);
      expect(early.tags).toEqual(['one', 'two']);
      expect([1, 2]).toContain(early.state.id);

      const published = (await t.waitForPublished(video.uuid)) as unknown as VideoDetails;
      expect(published.state).toEqual({ id: 1, label: 'Published' });
      expect(published.duration).toBe(3);
      const hls = published.streamingPlaylists[0]!;
      expect(hls.type).toBe(1);
      expect(hls.redundancies).toEqual([]);
      expect(hls.files.map((f) => f.resolution.id)).toEqual([240, 144]);
      expect(hls.playlistUrl).toBe(`${t.url}/static/streaming-playlists/hls/${video.uuid}/master.m3u8`);

      // Every rendition decodes (through the master playlist and each variant, over HTTP).
      const master = await (await fetch(hls.playlistUrl)).text();
      const variants = master.split('\n').filter((l) => l.endsWith('.m3u8'));
      expect(variants).toHaveLength(2);
      for (const variant of variants) {
        const url = new URL(variant, hls.playlistUrl).toString();
        const probe = await ffprobeJson(url);
        expect(probe.streams.some((s) => s.codec_type === 'video')).toBe(true);
        await decodeFully(url);
      }
      expect(await checkSegmentHashes(published)).toBeGreaterThanOrEqual(2);
    });
  }

  it('a real WebTorrent client downloads an HLS file through its .torrent (our tracker + webseed)', async () => {
    const clip = await generatedClip({ seconds: 3, width: 320, height: 240 });
    const res = await t.uploadMultipart(clip, { name: 'torrent me', channelId: '1' });
    const { video } = (await res.json()) as { video: { uuid: string } };
    const published = (await t.waitForPublished(video.uuid)) as unknown as VideoDetails;
    const file = published.streamingPlaylists[0]!.files[0]!;
    expect(file.magnetUri).toContain(`xt=urn:btih:`);
    const torrent = Buffer.from(await (await fetch(file.torrentUrl)).arrayBuffer());
    const original = Buffer.from(await (await fetch(file.fileUrl)).arrayBuffer());
    const { data } = await downloadWithWebTorrent(torrent);
    // The client announced to our tracker (a private one: it knows this infohash as ours).
    expect(t.instance.tracker!.stats().torrents).toBeGreaterThanOrEqual(1);
    expect(data.length).toBe(file.size);
    expect(createHash('sha256').update(data).digest('hex')).toBe(createHash('sha256').update(original).digest('hex'));
  });

  it('refuses a non-video upload with a 4xx problem and leaves nothing behind', async () => {
    const before = await t.json<{ total: number }>('/api/v1/videos?count=0');
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'mt-bad-'));
    const bogus = join(dir, 'not-a-video.mp4');
    await writeFile(bogus, 'this is plainly not a video file\n'.repeat(100));
    for (const res of [await t.uploadMultipart(bogus, { name: 'bogus video', channelId: '1' }), await t.uploadResumable(bogus, { name: 'bogus video', channelId: 1 })]) {
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await res.json()) as { detail: string; status: number };
      expect(problem.status).toBe(422);
      expect(problem.detail).toMatch(/not a readable video/);
    }
    const after = await t.json<{ total: number }>('/api/v1/videos?count=0');
    expect(after.total).toBe(before.total);
    expect(await readdir(t.instance.layout.uploadsTmp)).toEqual([]);
    expect(await readdir(t.instance.layout.resumableTmp)).toEqual([]);
    // a completed upload keeps its session a while, to answer a repeated last chunk with the same video
    const sessions = await t.instance.prisma.uploadSession.count({ where: { state: { not: 'done' } } });
    expect(sessions).toBe(0);
  });
});
