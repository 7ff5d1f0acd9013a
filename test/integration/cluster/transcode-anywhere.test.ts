import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestS3, type TestS3 } from '../storage/s3-server.js';

// Issue 15, "transcoding anywhere": two nodes on one PostgreSQL and one bucket, each with its own
// storage folder. Node A receives the upload but runs no transcodes (transcoding.concurrency: 0),
// so node B must: it reads the original from the bucket and its outputs go there.
describe('a transcode runs on a node that does not have the upload', () => {
  let db: TestDatabase;
  let s3: TestS3;
  let a: TestInstance;
  let b: TestInstance;
  const localNames = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  const transcodesRun = async (t: TestInstance) => ((await t.instance.metrics.transcodeDuration.get()).values.find((v) => v.metricName?.endsWith('_count') && v.labels.type === 'hls')?.value ?? 0);

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    s3 = await startTestS3(['a']);
    const shared = { database: { url: db.url }, object_storage: s3.configFor('a') };
    a = await startTestInstance({ db: 'embedded', overrides: { ...shared, node: { name: 'node-a' }, transcoding: { concurrency: 0 } } });
    // one public address for both nodes (nginx in front, in production)
    b = await startTestInstance({ db: 'embedded', overrides: { ...shared, node: { name: 'node-b' }, webserver: { port: a.instance.port } } });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((t) => t.stop()));
    await s3?.close();
    await db?.drop();
  });

  it('upload to A → the original is in the bucket before the 200 → B transcodes → HLS in the bucket, playable through A', async () => {
    const res = await a.uploadMultipart(await generatedClip({ seconds: 2 }), { name: 'anywhere', channelId: '1' });
    expect(res.status).toBe(200);
    const { uuid } = ((await res.json()) as { video: { uuid: string } }).video;
    const original = (await a.instance.prisma.videoFile.findFirstOrThrow({ where: { video: { uuid } } })).filename;
    // accepted: the original is in the bucket, not on A's disk (A may never run its transcode)
    expect(await s3.keys('a-videos', `${uuid}-`)).toEqual([original]);
    expect(await localNames(a.config.storage.web_videos)).not.toContain(original);
    // until it is transcoded, A's static route serves the original from the bucket
    const early = await fetch(`${a.apiUrl}/static/web-videos/${original}`, { headers: { range: 'bytes=0-99' } });
    expect(early.status).toBe(206);

    await a.waitForPublished(uuid, 90_000);
    expect(await transcodesRun(b)).toBe(1);
    expect(await transcodesRun(a)).toBe(0);
    // B moved its outputs to the bucket itself: nothing left on either disk
    const hlsKeys = await waitFor('the HLS in the bucket', async () => {
      const keys = await s3.keys('a-playlists', `${uuid}/`);
      const row = await a.instance.prisma.videoObjectStorage.findFirst({ where: { video: { uuid } } });
      return row && keys.some((k) => k.endsWith('-fragmented.mp4')) ? keys : undefined;
    }, 60_000);
    for (const t of [a, b]) expect(await localNames(join(t.config.storage.streaming_playlists, 'hls', uuid))).toEqual([]);
    expect((await localNames(b.config.storage.web_videos)).filter((n) => n.startsWith(uuid))).toEqual([]);

    // played through A, which has none of the files: its static routes proxy the bucket
    const details = await a.json<{ streamingPlaylists: { playlistUrl: string; files: { fileUrl: string; size: number }[] }[] }>(`/api/v1/videos/${uuid}`);
    const hls = details.streamingPlaylists[0]!;
    const path = (url: string) => new URL(url).pathname;
    expect(hlsKeys).toContain(`${uuid}/${path(hls.playlistUrl).split('/').pop()}`);
    const master = await fetch(`${a.apiUrl}${path(hls.playlistUrl)}`);
    expect(master.status).toBe(200);
    const variant = (await master.text()).split('\n').find((l) => l.endsWith('.m3u8'))!;
    expect((await fetch(`${a.apiUrl}${path(hls.playlistUrl).replace(/[^/]+$/, variant)}`)).status).toBe(200);
    const file = hls.files[0]!;
    const tail = await fetch(`${a.apiUrl}${path(file.fileUrl)}`, { headers: { range: `bytes=${file.size - 100}-${file.size - 1}` } });
    expect(tail.status).toBe(206);
    expect((await tail.arrayBuffer()).byteLength).toBe(100);
  });
});
