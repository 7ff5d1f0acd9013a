import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { childInstanceEnv, startChildInstance } from '../../support/child-instance.js';
import { freePort, waitFor } from '../../support/ports.js';
import { startTestS3, type TestS3 } from './s3-server.js';
import { startStallingProxy } from './stalling-proxy.js';

const PASSWORD = 'kill-multipart-password';

/**
 * SIGKILL of a node in the middle of a multipart upload to the bucket (an upload published as is,
 * above the 5 MiB part size, moved to the web_videos bucket; the second part hangs in a proxy): the
 * parts of the killed upload are in the bucket, unlisted. After the restart the node aborts that
 * upload (it was its own, from the run before), the move is made again, and no multipart upload is
 * left in any bucket.
 */
describe('kill -9 during a multipart upload to the bucket', () => {
  let s3: TestS3 | undefined;
  let storage = '';
  let proxy: Awaited<ReturnType<typeof startStallingProxy>> | undefined;
  const children: Awaited<ReturnType<typeof startChildInstance>>[] = [];

  afterAll(async () => {
    for (const c of children) {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await c.exited;
    }
    await proxy?.close();
    await s3?.close();
    if (storage) await rm(storage, { recursive: true, force: true });
  });

  it('leaves no multipart upload in the bucket after the restart', async () => {
    onTestFailed(() => {
      for (const [i, c] of children.entries()) console.error(`--- run ${i + 1}:\n${c.output().slice(-4000)}`);
    });
    s3 = await startTestS3(['m']);
    proxy = await startStallingProxy(s3.endpoint, (req) => req.method === 'PUT' && (req.url ?? '').startsWith('/m-videos/') && /[?&]partNumber=2(&|$)/.test(req.url ?? ''));
    storage = await mkdtemp(join(tmpdir(), 'mt-kill-multipart-'));
    // a clip above two parts of 5 MiB: 3 seconds of lossless noise
    const clip = join(storage, 'noise.mp4');
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', '3', '-vf', 'noise=alls=100:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip]);
    expect((await stat(clip)).size).toBeGreaterThan(11 * 1024 * 1024);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const configFile = join(storage, 'm.yaml');
    await writeFile(configFile, JSON.stringify({ object_storage: { ...s3.configFor('m'), endpoint: proxy.url, max_upload_part: '5MB' }, transcoding: { enabled: false } }));
    const env = {
      ...childInstanceEnv({ storage, port, password: PASSWORD }),
      MIRRORTUBE_LISTEN__HOSTNAME: '127.0.0.1',
      MIRRORTUBE_WEBSERVER__HTTPS: 'false',
      MIRRORTUBE_JOBS__LEASE_DURATION: '2 seconds',
      MIRRORTUBE_JOBS__SHUTDOWN_DEADLINE: '2 seconds',
    };
    const first = await startChildInstance(env, port, ['--config', configFile]);
    children.push(first);
    const client = (await (await fetch(`${base}/api/v1/oauth-clients/local`)).json()) as Record<string, string>;
    const token = ((await (await fetch(`${base}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password: PASSWORD }) })).json()) as { access_token: string }).access_token;
    const api = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });

    const form = new FormData();
    form.append('videofile', new Blob([await readFile(clip)]), 'noise.mp4');
    form.append('name', 'killed mid-part');
    form.append('channelId', '1');
    const upload = await api('/api/v1/videos/upload', { method: 'POST', body: form });
    expect(upload.status).toBe(200);
    const { uuid } = ((await upload.json()) as { video: { uuid: string } }).video;

    // --- the second part hangs: kill the node there; the first part stays in the bucket, unlisted
    await proxy.held;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await s3.pendingUploads('m-videos')).toHaveLength(1);
    expect(await s3.keys('m-videos')).toEqual([]);

    // --- restart: the killed upload is aborted, the move made again
    proxy.release();
    children.push(await startChildInstance(env, port, ['--config', configFile]));
    await waitFor('the web video in the bucket', async () => ((await s3!.keys('m-videos')).length === 1 ? true : undefined), 120_000);
    expect((await s3.keys('m-videos'))[0]).toMatch(new RegExp(`^${uuid}-\\d+\\.mp4$`));
    for (const bucket of ['m-playlists', 'm-videos', 'm-copies']) expect(await s3.pendingUploads(bucket), bucket).toEqual([]);
  });
});
