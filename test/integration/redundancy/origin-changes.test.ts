import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

const MIRROR_POLICY = {
  redundancy: {
    min_lifetime_floor: '1 second',
    // ticks run only when the test says (runNow)
    videos: { check_interval: '10 minutes', strategies: [{ strategy: 'most-views', size: '50MB', min_lifetime: '1 hour' }] },
  },
};

/**
 * Issue 9, item 4, between two real instances (A origin, B mirror), replaying what PeerTube does
 * (session-2 pt-video-ap-01…08): a video announced while "to transcode" (state 2) is not
 * mirrored until an Update says it is published; a copy made while the origin had one resolution
 * follows it when a second one is added (the master and hashes change: ap-05 → 07 → 08); and a
 * mirror job whose stored master playlist URL is stale (the Update that renamed it was lost)
 * meets a 404, refetches the video object from A, and succeeds.
 */
describe('mirroring follows the origin: published only, refreshed on change, refetched on 404', () => {
  let a: TestInstance;
  let b: TestInstance;
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const plan = async () => expect((await b.instance.scheduler.runNow('redundancy-plan')).status).toBe('completed');
  const copyOf = (uuid: string) => b.instance.prisma.videoRedundancy.findFirst({ where: { video: { uuid }, actor: { host: null } } });
  const activeCopy = (uuid: string) =>
    waitFor(`B's copy of ${uuid} active`, async () => {
      const row = await copyOf(uuid);
      if (row?.state === 'failed') throw new Error(`the copy failed: ${row.reason}`);
      return row?.state === 'active' ? row : undefined;
    }, 90_000);
  const upload = async (name: string) => {
    const { video } = (await (await a.uploadMultipart(await generatedClip(), { name, channelId: '1' })).json()) as { video: { id: number; uuid: string } };
    await a.waitForPublished(video.uuid);
    await waitFor(`${name} on B`, async () => ((await b.instance.prisma.video.count({ where: { uuid: video.uuid } })) === 1 ? true : undefined), 30_000);
    return video;
  };
  const edit = async (id: number, name: string) => {
    expect((await a.api(`/api/v1/videos/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })).status).toBe(204);
  };
  const copyFiles = async (uuid: string) => (await readdir(join(b.config.storage.redundancy, 'hls', uuid))).filter((f) => f.endsWith('-fragmented.mp4')).sort();

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestInstance({ db: 'postgres' }), startTestInstance({ db: 'embedded', overrides: MIRROR_POLICY })]);
    expect((await b.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) })).status).toBe(204);
    await waitFor('B follows A', async () => ((await b.instance.prisma.actorFollow.count({ where: { state: 'accepted' } })) === 1 ? true : undefined), 30_000);
    const allow = await b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
    expect(allow.status).toBe(204);
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((i) => i.stop()));
  });

  it('no mirror of a video its origin has not published; mirrored once an Update says published', async () => {
    const video = await upload('still transcoding');
    // as B knows it after PeerTube's Create/Update of pt-video-ap-01…04: state 2, "to transcode"
    await b.instance.prisma.video.update({ where: { uuid: video.uuid }, data: { state: 2 } });
    await plan();
    expect(await copyOf(video.uuid)).toBeNull();
    // the origin's next Update says published (state 1)
    await edit(video.id, 'published now');
    await waitFor('the Update applied on B', async () => ((await b.instance.prisma.video.findUniqueOrThrow({ where: { uuid: video.uuid } })).state === 1 ? true : undefined), 30_000);
    await plan();
    await activeCopy(video.uuid);
  });

  it('a copy made while the origin had one resolution is refreshed when the origin adds one, and announced with Update CacheFile', async () => {
    const video = await upload('gains a resolution');
    const originDir = a.instance.layout.hlsDir(video.uuid);
    const names = await readdir(originDir);
    const fragments = names.filter((n) => n.endsWith('-fragmented.mp4')).sort();
    expect(fragments.length).toBe(2);
    const [low, high] = [fragments.find((f) => f.includes('-144-'))!, fragments.find((f) => f.includes('-240-'))!];
    // the origin as PeerTube's ap-05 shows it: published with its lowest resolution only
    const masterPath = join(originDir, 'master.m3u8');
    const hashesPath = join(originDir, 'segments-sha256.json');
    const [master, hashes] = await Promise.all([readFile(masterPath, 'utf8'), readFile(hashesPath, 'utf8')]);
    const masterLines = master.split('\n');
    const highAt = masterLines.findIndex((l) => l.includes('-240') && !l.startsWith('#'));
    expect(highAt).toBeGreaterThan(0);
    const lowOnlyMaster = masterLines.filter((_, i) => i !== highAt && i !== highAt - 1).join('\n');
    const lowOnlyHashes = Object.fromEntries(Object.entries(JSON.parse(hashes) as Record<string, unknown>).filter(([file]) => file !== high));
    await Promise.all([writeFile(masterPath, lowOnlyMaster), writeFile(hashesPath, JSON.stringify(lowOnlyHashes))]);
    const hlsOnB = await b.instance.prisma.videoStreamingPlaylist.findFirstOrThrow({ where: { video: { uuid: video.uuid } }, include: { files: true } });
    await b.instance.prisma.videoFile.deleteMany({ where: { streamingPlaylistId: hlsOnB.id, filename: high } });

    await plan();
    const first = await activeCopy(video.uuid);
    expect(await copyFiles(video.uuid)).toEqual([low]);

    // the origin finishes: both resolutions, and its next Update lists them
    await Promise.all([writeFile(masterPath, master), writeFile(hashesPath, hashes)]);
    await edit(video.id, 'gains a resolution (done)');
    await waitFor('the Update applied on B', async () => ((await b.instance.prisma.videoFile.count({ where: { streamingPlaylistId: { not: null }, streamingPlaylist: { video: { uuid: video.uuid } } } })) === 2 ? true : undefined), 30_000);
    await plan();
    await waitFor('the copy refreshed', async () => ((await copyFiles(video.uuid)).length === 2 ? true : undefined), 90_000);
    expect(await copyFiles(video.uuid)).toEqual([low, high].sort());
    const refreshed = (await copyOf(video.uuid))!;
    expect(refreshed).toMatchObject({ state: 'active', id: first.id });
    expect(refreshed.sourceFileSet).not.toBe(first.sourceFileSet);
    expect(Number(refreshed.sizeBytes)).toBeGreaterThan(Number(first.sizeBytes));
    const copyMaster = await readFile(join(b.config.storage.redundancy, 'hls', video.uuid, 'master.m3u8'), 'utf8');
    expect(copyMaster).toBe(master);
    // the origin hears of it: an Update of B's CacheFile, processed
    const update = await waitFor('the Update CacheFile on A', async () => {
      const row = await a.instance.prisma.inboxActivity.findFirst({ where: { type: 'Update', actorUrl: `${b.url}/accounts/peertube` } });
      return row && row.state !== 'pending' ? row : undefined;
    }, 30_000);
    expect(update.state).toBe('processed');
    expect(((update.payload as { object: { type: string } }).object).type).toBe('CacheFile');
    // and nothing more to do: the next plan refreshes nothing
    await plan();
    expect((await copyOf(video.uuid))!.sourceFileSet).toBe(refreshed.sourceFileSet);
  });

  it('a mirror job that meets a 404 at the origin refetches the video object, then succeeds', async () => {
    const video = await upload('renamed master');
    const hls = await b.instance.prisma.videoStreamingPlaylist.findFirstOrThrow({ where: { video: { uuid: video.uuid } } });
    const good = hls.playlistUrl!;
    // as in session-2: B kept a master URL the origin no longer serves (the Update that renamed it was lost)
    const stale = good.replace(/[^/]+$/, 'fcd52734-b750-49ec-b4f2-134307625b36-master.m3u8');
    expect((await fetch(stale)).status).toBe(404);
    // (by video: a late Update of A, e.g. its view count, may have stored the playlist row again since)
    await b.instance.prisma.videoStreamingPlaylist.updateMany({ where: { video: { uuid: video.uuid } }, data: { playlistUrl: stale, playlistFilename: 'fcd52734-b750-49ec-b4f2-134307625b36-master.m3u8' } });
    await plan();
    const row = await activeCopy(video.uuid);
    expect(row.failures).toBe(0);
    expect((await b.instance.prisma.videoStreamingPlaylist.findFirstOrThrow({ where: { video: { uuid: video.uuid } } })).playlistUrl).toBe(good);
    expect((await copyFiles(video.uuid)).length).toBe(2);
  });
});
