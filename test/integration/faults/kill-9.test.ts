import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childInstanceEnv, startChildInstance } from '../../support/child-instance.js';
import { createTestDatabase } from '../../support/database.js';
import { generatedClip } from '../../support/media.js';
import { freePort, waitFor } from '../../support/ports.js';
import { abortedRequest, filesUnder, healthy, multipartBody, openRequest, sendBody, sizeOf } from './fault-support.js';
import { processesWithEnv } from './process-support.js';

const PASSWORD = 'kill-9-password';

async function login(base: string): Promise<string> {
  const client = (await (await fetch(`${base}/api/v1/oauth-clients/local`)).json()) as Record<string, string>;
  const res = await fetch(`${base}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password: PASSWORD }) });
  return ((await res.json()) as { access_token: string }).access_token;
}

// Issue 10, "must show": the real `mirrortube` process is SIGKILLed during an upload and during
// transcodes, on both databases, then restarted: no half rows, no leftovers, no ffmpeg left
// running, every job either finished or failed with its failure path run.
for (const db of ['embedded', 'postgres'] as const) {
  describe(`faults: kill -9 during uploads and transcodes (${db})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    it('uploads cut off by SIGKILL leave nothing but a resumable session that completes; three transcodes cut off fail the job with its failure path', async () => {
      const storage = await mkdtemp(join(tmpdir(), 'mt-kill9-'));
      const database = await createTestDatabase(db, { storage });
      cleanups.push(async () => {
        await database.drop();
        await rm(storage, { recursive: true, force: true });
      });
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = {
        ...childInstanceEnv({ storage, port, password: PASSWORD }),
        ...(database.url ? { MIRRORTUBE_DATABASE__URL: database.url } : {}),
        // slow enough to be caught in the middle: 720p with a slower preset
        MIRRORTUBE_TRANSCODING__PRESET: 'fast',
        MIRRORTUBE_TRANSCODING__RESOLUTIONS__720P: 'true',
        MIRRORTUBE_TRANSCODING__RESOLUTIONS__480P: 'false',
        MIRRORTUBE_TRANSCODING__RESOLUTIONS__360P: 'false',
        MIRRORTUBE_TRANSCODING__RESOLUTIONS__240P: 'true',
        MIRRORTUBE_TRANSCODING__RESOLUTIONS__144P: 'false',
      };
      const ffmpegTag = `MIRRORTUBE_FFMPEG_OWNER=${resolve(storage)}`;
      let server = await startChildInstance(env, port);
      let stopped = false;
      cleanups.push(async () => {
        if (!stopped && server.child.exitCode === null) {
          server.child.kill('SIGKILL');
          await server.exited;
        }
      });
      const killServer = async () => {
        server.child.kill('SIGKILL');
        await server.exited;
        expect(await healthy(base)).toBe(false);
        // ffmpeg dies with the server, before any restart could clean up after it
        await waitFor('no ffmpeg of this storage to be left running', async () => ((await processesWithEnv(ffmpegTag)).length === 0 ? true : undefined), 15_000, 50);
      };
      let token = await login(base);
      const auth = { authorization: `Bearer ${token}` };
      const small = readFileSync(await generatedClip({ seconds: 3 }));

      // 1. SIGKILL in the middle of a multipart upload and of a resumable chunk.
      const before = await filesUnder(storage);
      const { body, contentType } = multipartBody({ name: 'cut multipart', channelId: '1' }, { field: 'videofile', name: 'clip.mp4', bytes: small });
      const multipart = openRequest({ url: `${base}/api/v1/videos/upload`, method: 'POST', headers: { ...auth, 'content-type': contentType, 'content-length': String(body.length) } });
      await multipart.write(body.subarray(0, Math.floor(body.length / 2)));
      const init = await fetch(`${base}/api/v1/videos/upload-resumable`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'x-upload-content-length': String(small.length) },
        body: JSON.stringify({ name: 'cut resumable', channelId: 1, filename: 'clip.mp4' }),
      });
      expect(init.status).toBe(201);
      const location = init.headers.get('location')!;
      const resumableFile = join(storage, 'tmp', 'resumable', /upload_id=([a-f0-9]+)/.exec(location)![1]!);
      const chunk = openRequest({ url: `${base}${location}`, method: 'PUT', headers: { ...auth, 'content-range': `bytes 0-${small.length - 1}/${small.length}` } });
      await chunk.write(small.subarray(0, 32 * 1024));
      await waitFor('both uploads to be on disk', async () => {
        const uploads = await readdir(join(storage, 'tmp', 'uploads'));
        return uploads.length === 1 && (await sizeOf(resumableFile)) > 0 ? true : undefined;
      }, 20_000, 20);
      await killServer();
      await Promise.all([multipart.response, chunk.response]);

      server = await startChildInstance(env, port);
      token = await login(base);
      auth.authorization = `Bearer ${token}`;
      const videos = async () => ((await (await fetch(`${base}/api/v1/videos?count=10`)).json()) as { total: number; data: { uuid: string }[] });
      expect((await videos()).total).toBe(0);
      expect(await filesUnder(join(storage, 'tmp', 'uploads'))).toEqual([]);
      // the resumable upload resumes where its bytes stopped, and completes into exactly one video
      const status = await fetch(`${base}${location}`, { method: 'PUT', headers: { ...auth, 'content-range': `bytes */${small.length}` } });
      expect(status.status).toBe(308);
      const range = status.headers.get('range');
      const received = range ? Number(/bytes=0-(\d+)/.exec(range)![1]) + 1 : 0;
      expect(received).toBeLessThanOrEqual(32 * 1024);
      const rest = await sendBody({
        url: `${base}${location}`,
        method: 'PUT',
        headers: { ...auth, 'content-range': `bytes ${received}-${small.length - 1}/${small.length}` },
        body: small.subarray(received),
      });
      expect(rest?.status).toBe(200);
      const resumed = (JSON.parse(rest!.text) as { video: { uuid: string } }).video.uuid;
      await waitFor('the resumed upload to be published', async () => {
        const v = (await (await fetch(`${base}/api/v1/videos/${resumed}`)).json()) as { state: { id: number } };
        return v.state.id === 1 ? true : undefined;
      }, 120_000, 200);
      expect((await videos()).total).toBe(1);
      // an abort after the kill leaves nothing either
      await abortedRequest({ url: `${base}/api/v1/videos/upload`, method: 'POST', headers: { ...auth, 'content-type': contentType }, body, sent: 1000 });
      // (the server removes the partial file once it sees the connection close: wait for that, bounded)
      const leftInTmp = before.filter((f) => f.startsWith('tmp/'));
      await waitFor('the aborted upload removed', async () => {
        const now = await filesUnder(join(storage, 'tmp'));
        return JSON.stringify(now) === JSON.stringify(leftInTmp) ? true : undefined;
      }, 30_000, 50).catch(() => undefined);
      expect(await filesUnder(join(storage, 'tmp'))).toEqual(leftInTmp);

      // 2. Three SIGKILLs while one video transcodes use its attempts up: the restart runs the failure path.
      const big = await generatedClip({ seconds: 6, width: 1280, height: 720 });
      const form = new FormData();
      form.append('name', 'killed three times');
      form.append('channelId', '1');
      form.append('videofile', new Blob([readFileSync(big)]), 'clip.mp4');
      const up = await fetch(`${base}/api/v1/videos/upload`, { method: 'POST', body: form, headers: auth });
      expect(up.status).toBe(200);
      const { video } = (await up.json()) as { video: { id: number; uuid: string } };
      const workRoot = join(storage, 'tmp', 'transcode');
      for (let crash = 1; crash <= 3; crash++) {
        await waitFor(`ffmpeg to write output (attempt ${crash})`, async () => {
          for (const dir of await readdir(workRoot)) {
            const hls = await readdir(join(workRoot, dir, 'hls')).catch(() => []);
            if (hls.length > 0) return true;
          }
          return undefined;
        }, 120_000, 20);
        await killServer();
        server = await startChildInstance(env, port);
      }
      token = await login(base);
      auth.authorization = `Bearer ${token}`;
      const failedVideo = await waitFor('the video to be marked failed', async () => {
        const v = (await (await fetch(`${base}/api/v1/videos/${video.uuid}`, { headers: auth })).json()) as { state: { id: number; label: string } };
        return v.state.id === 7 ? v : undefined;
      }, 60_000, 100);
      expect(failedVideo.state.label).toBe('Transcoding failed');
      const failed = (await (await fetch(`${base}/api/v1/jobs/failed`, { headers: auth })).json()) as { data: { type: string; error: string }[] };
      expect(failed.data.filter((j) => j.type === 'video-transcoding').map((j) => j.error.split('\n')[0])).toEqual([expect.stringMatching(/gave up after 3 attempts/)]);
      const completed = (await (await fetch(`${base}/api/v1/jobs/completed`, { headers: auth })).json()) as { data: { type: string }[] };
      expect(completed.data.filter((j) => j.type === 'video-transcoding')).toHaveLength(1); // the resumed upload's
      for (const state of ['active', 'waiting', 'delayed']) {
        const list = (await (await fetch(`${base}/api/v1/jobs/${state}`, { headers: auth })).json()) as { data: { type: string }[] };
        expect(list.data.filter((j) => j.type === 'video-transcoding')).toEqual([]);
      }
      // no leftovers: no work folder, no HLS folder, nothing under the failed video's uuid but its upload
      expect(await readdir(workRoot)).toEqual([]);
      expect((await readdir(join(storage, 'streaming-playlists', 'hls'))).filter((n) => n !== 'private')).toEqual([resumed]);
      expect(await readdir(join(storage, 'streaming-playlists', 'hls', 'private'))).toEqual([]);
      const ofVideo = (await filesUnder(storage)).filter((f) => f.includes(video.uuid));
      expect(ofVideo.filter((f) => f.startsWith('web-videos/'))).toHaveLength(1);
      expect(ofVideo.every((f) => /^(web-videos|torrents|thumbnails|previews)\//.test(f))).toBe(true);
      expect(await processesWithEnv(ffmpegTag)).toEqual([]);
      expect(await healthy(base)).toBe(true);

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      stopped = true;
    }, 480_000);
  });
}
