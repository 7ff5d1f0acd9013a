import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../../src/jobs/index.js';
import { buildAnnounceList, buildTrackerUrls, createTorrentFile } from '../../../src/p2p/index.js';
import { createFfmpeg, p2pMediaLoaderInfohashes } from '../../../src/transcoding/index.js';
import { noVideoEvents, type TorrentMaker } from '../../../src/videos/ports.js';
import { placementForPrivacy } from '../../../src/videos/privacy-folders.js';
import { createTranscodeJob } from '../../../src/videos/transcode-job.js';
import { createTranscodeStore } from '../../../src/videos/transcode-store.js';
import { generatedClip } from '../../support/media.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

// A transcode placed its outputs in the folders of the privacy it started with: a video made private
// while ffmpeg ran ended with its playlist in the public folder, its torrents naming public URLs.
// The job is driven directly (the instance's own transcoding is off), with its TorrentMaker port as
// the gate: the first torrent (after ffmpeg, before the files are placed) waits for a privacy
// change made through the API.
describe.each(['embedded', 'postgres'] as const)('a privacy change while a transcode runs (%s)', (db) => {
  let t: TestInstance;
  let uuid = '';
  let videoId = 0;
  let uploadFilename = '';

  const setPrivacy = async (privacy: number) => {
    const res = await t.api(`/api/v1/videos/${uuid}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ privacy }) });
    expect(res.status).toBe(204);
  };

  beforeAll(async () => {
    t = await startTestInstance({ db, overrides: { transcoding: { enabled: false } } });
    const res = await t.uploadMultipart(await generatedClip({ seconds: 2 }), { name: 'going private', channelId: '1' });
    expect(res.status).toBe(200);
    ({ uuid, id: videoId } = ((await res.json()) as { video: { uuid: string; id: number } }).video);
    const row = await t.instance.prisma.video.findUniqueOrThrow({ where: { id: videoId }, include: { files: true } });
    expect(row.privacy).toBe(1);
    uploadFilename = row.files[0]!.filename;
    expect(existsSync(t.instance.layout.webVideo(uploadFilename))).toBe(true);
  }); // the suite's timeout (test/vitest.config.ts) bounds it
  afterAll(async () => {
    await t?.stop();
  });

  it('places the files and their torrents for the privacy in force at the end', async () => {
    const { instance } = t;
    let privacyChanged = false;
    const announceList = buildAnnounceList(buildTrackerUrls(instance.urls.base));
    const torrents: TorrentMaker = {
      async create(input) {
        if (!privacyChanged) {
          privacyChanged = true;
          await setPrivacy(3);
        }
        return createTorrentFile({ ...input, announceList });
      },
    };
    const ffmpeg = createFfmpeg({ ffmpegPath: t.config.ffmpeg.path, ffprobePath: t.config.ffprobe.path });
    const job = createTranscodeJob({
      ffmpeg,
      clock: instance.clock,
      urls: instance.urls,
      layout: instance.layout,
      torrents,
      ladder: { resolutions: t.config.transcoding.resolutions, hls: true, webVideos: false },
      options: { preset: 'veryfast', threads: 1, segmentDuration: 4, keyframeInterval: 2 },
      concurrency: 1,
      events: noVideoEvents,
      store: createTranscodeStore(instance.prisma),
    });
    const ctx: JobContext = {
      signal: new AbortController().signal,
      job: { id: 1, kind: 'video-transcoding', attempts: 1, maxAttempts: 3, priority: 0, dedupeKey: null, createdAt: new Date() },
      reportProgress: () => {},
      logger: instance.logger,
    };

    const result = await job.run({ videoId }, ctx);
    expect(privacyChanged).toBe(true);
    expect(result).toMatchObject({ type: 'completed', result: { hls: expect.any(Number) } });

    const priv = placementForPrivacy({ layout: instance.layout, urls: instance.urls }, 3);
    const video = await instance.prisma.video.findUniqueOrThrow({ where: { id: videoId }, include: { files: true, streamingPlaylists: { include: { files: true } } } });
    expect(video.privacy).toBe(3);
    const playlist = video.streamingPlaylists[0]!;
    // the HLS folder is in the private folder, nothing in the public one
    expect(existsSync(join(priv.layout.hlsDir(uuid), playlist.playlistFilename))).toBe(true);
    expect(existsSync(instance.layout.hlsDir(uuid))).toBe(false);
    for (const f of playlist.files) {
      expect(existsSync(join(priv.layout.hlsDir(uuid), f.filename))).toBe(true);
      // its torrent's webseed is the private URL (same infohash)
      const torrent = (await readFile(instance.layout.torrent(f.torrentFilename!))).toString('latin1');
      expect(torrent).toContain(priv.urls.hlsFile(uuid, f.filename));
      expect(torrent).not.toContain(instance.urls.hlsFile(uuid, f.filename));
    }
    // the swarm ids are those of the private master playlist's URL
    expect(playlist.p2pMediaLoaderInfohashes).toEqual(p2pMediaLoaderInfohashes(priv.urls.hlsFile(uuid, playlist.playlistFilename), playlist.files.length));
    // the replaced upload is gone from both folders (the privacy change had moved it)
    expect(video.files).toEqual([]);
    expect(existsSync(instance.layout.webVideo(uploadFilename))).toBe(false);
    expect(existsSync(priv.layout.webVideo(uploadFilename))).toBe(false);

    // served under the private path to its owner, not under the public one
    const master = (path: string) => fetch(`${t.url}${path}`).then(async (r) => (await r.body?.cancel(), r.status));
    expect(await master(new URL(instance.urls.hlsFile(uuid, playlist.playlistFilename)).pathname)).toBe(404);
    const owner = await t.api(new URL(priv.urls.hlsFile(uuid, playlist.playlistFilename)).pathname);
    expect(owner.status).toBe(200);
    await owner.body?.cancel();
  }, 240_000);
});
