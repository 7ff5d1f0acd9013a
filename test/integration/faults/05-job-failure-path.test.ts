import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { filesUnder, healthy } from './fault-support.js';

// Issue 10, item 5: a job that runs out of attempts, for any reason (here: three crashed attempts),
// runs its failure path: the video goes to PeerTube's "Transcoding failed" (7), its leftovers are
// removed, and an administrator runs it again with POST /api/v1/videos/:id/transcoding.
describe('faults: a transcode given up after crashes runs its failure path (embedded database)', () => {
  let t: TestInstance;
  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('three crashed attempts → state 7 with the reason in the failed job, no leftovers; the admin rerun publishes it', async () => {
    t.instance.jobs.pause();
    const up = await t.uploadMultipart(await generatedClip({ seconds: 3 }), { name: 'crashed three times', channelId: '1' });
    expect(up.status).toBe(200);
    const { video } = (await up.json()) as { video: { id: number; uuid: string; shortUUID: string } };
    const job = await t.instance.prisma.job.findFirstOrThrow({ where: { kind: 'video-transcoding' } });
    expect(job.maxAttempts).toBe(3);

    // As three processes that died in the middle of it would leave the job: active, its attempts
    // used up, its lease expired, a work folder, and an HLS folder moved into place but never recorded.
    await t.instance.prisma.job.update({
      where: { id: job.id },
      data: { state: 'active', attempts: 3, lockedBy: 'worker-dead', lockedUntil: new Date(Date.now() - 60_000), lastError: null },
    });
    const work = join(t.instance.layout.transcodeTmp, `${video.uuid}-${job.id}`);
    await mkdir(join(work, 'hls'), { recursive: true });
    await writeFile(join(work, 'hls', 'partial.mp4'), 'half a transcode');
    await mkdir(t.instance.layout.hlsDir(video.uuid), { recursive: true });
    await writeFile(join(t.instance.layout.hlsDir(video.uuid), `${video.uuid}-240-fragmented.mp4`), 'moved, never recorded');
    await writeFile(t.instance.layout.torrent(`${video.uuid}-240-hls.torrent`), 'moved, never recorded');
    const upload = (await t.instance.prisma.videoFile.findFirstOrThrow({ where: { videoId: video.id } })).filename;
    const expectedFiles = (await filesUnder(t.config.storage.root)).filter(
      (f) => !f.startsWith('tmp/transcode/') && !f.startsWith('streaming-playlists/') && !f.endsWith('-240-hls.torrent'),
    );

    t.instance.jobs.resume();
    const failed = await waitFor('the job to be failed', async () => {
      const j = await t.instance.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      return j.state === 'failed' ? j : undefined;
    }, 30_000, 50);
    expect(failed.lastError).toMatch(/gave up after 3 attempts/);

    const details = await t.json<{ state: { id: number; label: string } }>(`/api/v1/videos/${video.uuid}`);
    expect(details.state).toEqual({ id: 7, label: 'Transcoding failed' });
    const jobs = await t.json<{ data: { id: number; type: string; error: string }[] }>('/api/v1/jobs/failed');
    expect(jobs.data.find((j) => j.id === job.id)?.error).toMatch(/gave up after 3 attempts/);
    // leftovers gone, the upload itself kept for a rerun
    expect(await filesUnder(t.config.storage.root)).toEqual(expectedFiles);
    expect(expectedFiles).toContain(`web-videos/${upload}`);
    expect(await healthy(t.url)).toBe(true);

    // PeerTube's rerun: administrators only, a known video, a valid body
    const alice = await t.api('/api/v1/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: 'carol-password', email: 'carol@example.com', role: 2 }),
    });
    expect(alice.status).toBe(200);
    const carol = await t.login('carol', 'carol-password');
    const rerun = (ref: string | number, body: unknown, token?: string) =>
      t.api(`/api/v1/videos/${ref}/transcoding`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(token ? { token } : {}) });
    expect((await rerun(video.id, { transcodingType: 'hls' }, carol)).status).toBe(403);
    expect((await rerun(999_999, { transcodingType: 'hls' })).status).toBe(404);
    expect((await rerun(video.id, { transcodingType: 'mp3' })).status).toBe(400);
    expect((await t.instance.prisma.video.findUniqueOrThrow({ where: { id: video.id } })).state).toBe(7);

    expect((await rerun(video.shortUUID, { transcodingType: 'hls' })).status).toBe(204);
    const published = (await t.waitForPublished(video.uuid)) as { state: { id: number }; streamingPlaylists: { files: unknown[] }[] };
    expect(published.streamingPlaylists[0]!.files.length).toBeGreaterThan(0);
    expect(await filesUnder(t.instance.layout.transcodeTmp)).toEqual([]);
  });

  it('mirror downloads and inbox activities whose attempts crashes used up are failed too, not left downloading or pending', async () => {
    t.instance.jobs.pause();
    const { prisma } = t.instance;
    const up = await t.uploadMultipart(await generatedClip({ seconds: 3 }), { name: 'mirrored, say', channelId: '1' });
    const video = (await up.json()) as { video: { id: number; uuid: string } };
    const actor = await prisma.actor.findFirstOrThrow({ where: { type: 'Application' } });
    const copy = await prisma.videoRedundancy.create({
      data: { videoId: video.video.id, actorId: actor.id, url: `${t.url}/redundancy/streaming-playlists/hls/${video.video.uuid}`, fileUrl: `${t.url}/static/redundancy/hls/${video.video.uuid}`, strategy: 'manual', state: 'downloading' },
    });
    const activity = await prisma.inboxActivity.create({
      data: { activityId: 'https://remote.example/activities/1', type: 'Like', actorUrl: 'https://remote.example/accounts/a', signerUrl: 'https://remote.example/accounts/a', payload: {}, bodyDigest: 'test', state: 'pending' },
    });
    const crashed = { state: 'active' as const, lockedBy: 'worker-dead', lockedUntil: new Date(Date.now() - 60_000), runAt: new Date(Date.now() - 60_000) };
    const jobs = await Promise.all([
      prisma.job.create({ data: { kind: 'videos-redundancy-mirror', payload: { redundancyId: copy.id }, maxAttempts: 5, attempts: 5, ...crashed } }),
      prisma.job.create({ data: { kind: 'activitypub-inbox', payload: { inboxActivityId: activity.id }, maxAttempts: 5, attempts: 5, ...crashed } }),
    ]);
    t.instance.jobs.resume();
    await waitFor('both jobs to be failed', async () => {
      const states = await prisma.job.findMany({ where: { id: { in: jobs.map((j) => j.id) } }, select: { state: true } });
      return states.every((j) => j.state === 'failed') ? true : undefined;
    }, 30_000, 50);
    const failedCopy = await prisma.videoRedundancy.findUniqueOrThrow({ where: { id: copy.id } });
    expect(failedCopy.state).toBe('failed');
    expect(failedCopy.reason).toMatch(/gave up after 5 attempts/);
    expect((await prisma.inboxActivity.findUniqueOrThrow({ where: { id: activity.id } })).state).toBe('failed');
    await prisma.videoRedundancy.delete({ where: { id: copy.id } });
  });

  it('a rerun while the transcode is pending answers 409 (204 when forced)', async () => {
    t.instance.jobs.pause();
    try {
      const up = await t.uploadMultipart(await generatedClip({ seconds: 3 }), { name: 'still pending', channelId: '1' });
      const { video } = (await up.json()) as { video: { id: number } };
      const res = await t.api(`/api/v1/videos/${video.id}/transcoding`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transcodingType: 'hls' }) });
      expect(res.status).toBe(409);
      const forced = await t.api(`/api/v1/videos/${video.id}/transcoding`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ transcodingType: 'hls', forceTranscoding: true }),
      });
      expect(forced.status).toBe(204);
      expect(await t.instance.prisma.job.count({ where: { kind: 'video-transcoding', state: 'pending' } })).toBe(1);
    } finally {
      t.instance.jobs.resume();
    }
  });
});
