import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { killChildren, type ChildInstance } from '../../support/child-instance.js';
import { waitFor } from '../../support/ports.js';
import { startBucketNode } from './bucket-node.js';
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
  const children: ChildInstance[] = [];

  afterAll(async () => {
    await killChildren(children);
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
    const node = await startBucketNode({ storage, password: PASSWORD, config: { object_storage: { ...s3.configFor('m'), endpoint: proxy.url, max_upload_part: '5MB' }, transcoding: { enabled: false } } });
    const first = node.first;
    children.push(first);
    const uuid = await node.upload(clip, 'killed mid-part');

    // --- the second part hangs: kill the node there; the first part stays in the bucket, unlisted
    await proxy.held;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await s3.pendingUploads('m-videos')).toHaveLength(1);
    expect(await s3.keys('m-videos')).toEqual([]);

    // --- restart: the killed upload is aborted, the move made again
    proxy.release();
    children.push(await node.start());
    await waitFor('the web video in the bucket', async () => ((await s3!.keys('m-videos')).length === 1 ? true : undefined), 120_000);
    expect((await s3.keys('m-videos'))[0]).toMatch(new RegExp(`^${uuid}-\\d+\\.mp4$`));
    // s3rver writes a completed upload's object before it removes the upload's parts: a moment after
    // the object is listed, its (completed) upload may still be; the killed one never leaves unaborted
    const pending = async () => (await Promise.all(['m-playlists', 'm-videos', 'm-copies'].map((b) => s3!.pendingUploads(b)))).flat();
    await waitFor('no multipart upload left', async () => ((await pending()).length === 0 ? true : undefined), 10_000, 100).catch(() => undefined);
    for (const bucket of ['m-playlists', 'm-videos', 'm-copies']) expect(await s3.pendingUploads(bucket), bucket).toEqual([]);
  });
});
