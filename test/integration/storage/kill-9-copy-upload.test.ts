import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { childInstanceEnv, killChildren, startChildInstance, type ChildInstance } from '../../support/child-instance.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { freePort, waitFor } from '../../support/ports.js';
import { S3_CREDENTIALS, startTestS3, type TestS3 } from './s3-server.js';
import { startStallingProxy } from './stalling-proxy.js';

const B_PASSWORD = 'kill-copy-upload';

/**
 * SIGKILL while a mirror commits its copy to the bucket: B (the mirrortube command, in a child
 * process) has staged the copy and copied one object into place when it dies (its next request to
 * the bucket hangs in a proxy). Nothing is announced; after the restart the copy is made again,
 * committed, announced and served, and the bucket holds exactly that copy: no staging objects, no
 * half copy, no orphans (an unknown copy and a stray staging prefix planted meanwhile are removed too).
 */
describe('kill -9 during a copy upload to the bucket', () => {
  let s3: TestS3 | undefined;
  let a: TestInstance | undefined;
  let storage = '';
  let proxy: Awaited<ReturnType<typeof startStallingProxy>> | undefined;
  const children: ChildInstance[] = [];

  afterAll(async () => {
    await killChildren(children);
    await a?.stop();
    await proxy?.close();
    await s3?.close();
    if (storage) await rm(storage, { recursive: true, force: true });
  });

  it('announces nothing half made, and after a restart the bucket holds exactly the committed copy', async () => {
    onTestFailed(() => {
      for (const [i, c] of children.entries()) console.error(`--- B, run ${i + 1}:\n${c.output().slice(-4000)}`);
    });
    s3 = await startTestS3(['b']);
    // the second server-side copy of the commit hangs: one object of the copy is in place, the manifest is not
    let copies = 0;
    proxy = await startStallingProxy(s3.endpoint, (req) => req.method === 'PUT' && req.headers['x-amz-copy-source'] !== undefined && ++copies === 2);
    storage = await mkdtemp(join(tmpdir(), 'mt-kill-copy-'));
    const port = await freePort();
    const b = `http://127.0.0.1:${port}`;
    const configFile = join(storage, 'b.yaml');
    await writeFile(
      configFile,
      JSON.stringify({
        object_storage: { ...s3.configFor('b'), endpoint: proxy.url },
        redundancy: { min_lifetime_floor: '1 second', videos: { check_interval: '1 second', strategies: [{ strategy: 'recently-added', size: '50MB', min_lifetime: '1 hour', min_views: 0 }] } },
      }),
    );
    expect(S3_CREDENTIALS.access_key_id).toBe('S3RVER');
    const env = {
      ...childInstanceEnv({ storage, port, password: B_PASSWORD }),
      MIRRORTUBE_LISTEN__HOSTNAME: '127.0.0.1',
      MIRRORTUBE_WEBSERVER__HTTPS: 'false',
      MIRRORTUBE_FEDERATION__ALLOW_PRIVATE_ADDRESSES: 'true',
      MIRRORTUBE_JOBS__SHUTDOWN_DEADLINE: '2 seconds',
    };
    const [origin, first] = await Promise.all([startTestInstance({ db: 'embedded' }), startChildInstance(env, port, ['--config', configFile])]);
    a = origin;
    children.push(first);
    const aHost = `127.0.0.1:${origin.instance.port}`;
    const client = (await (await fetch(`${b}/api/v1/oauth-clients/local`)).json()) as Record<string, string>;
    const token = ((await (await fetch(`${b}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password: B_PASSWORD }) })).json()) as { access_token: string }).access_token;
    const bApi = (path: string, init: RequestInit = {}) => fetch(`${b}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    const listedOnA = async (uuid: string) => ((await origin.json<{ streamingPlaylists: { redundancies: { baseUrl: string }[] }[] }>(`/api/v1/videos/${uuid}`)).streamingPlaylists[0]?.redundancies ?? []);

    expect((await bApi('/api/v1/server/following', { method: 'POST', body: JSON.stringify({ hosts: [aHost] }) })).status).toBe(204);
    const upload = await origin.uploadMultipart(await generatedClip({ seconds: 3 }), { name: 'killed while committed', channelId: '1' });
    const { uuid } = ((await upload.json()) as { video: { uuid: string } }).video;
    await origin.waitForPublished(uuid);
    await waitFor('the video on B', () => fetch(`${b}/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 60_000);
    expect((await bApi(`/api/v1/server/redundancy/${aHost}`, { method: 'PUT', body: JSON.stringify({ redundancyAllowed: true }) })).status).toBe(204);

    // --- B's commit hangs half-way: kill it there
    await proxy.held;
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await s3.keys('b-copies');
    expect(atKill.some((k) => k.startsWith('_staging/'))).toBe(true);
    expect(atKill.filter((k) => k.startsWith(`${uuid}/`))).toHaveLength(1);
    expect(atKill).not.toContain(`${uuid}/_manifest.json`);
    expect(await listedOnA(uuid)).toEqual([]);
    expect(await origin.instance.prisma.videoRedundancy.count({ where: { video: { uuid } } })).toBe(0);
    // what other crashes could leave: a copy nobody knows, a stray staging prefix
    const orphan = randomUUID();
    await s3.put('b-copies', `${orphan}/master.m3u8`, '#EXTM3U\n');
    await s3.put('b-copies', `_staging/${randomUUID()}-0123456789ab/x-240-fragmented.mp4`, 'partial');

    // --- restart: the bucket answers again
    proxy.release();
    children.push(await startChildInstance(env, port, ['--config', configFile]));
    const copyBase = `${b}/static/redundancy/hls/${uuid}`;
    await waitFor('the copy listed by A', async () => ((await listedOnA(uuid)).some((r) => r.baseUrl === copyBase) ? true : undefined), 90_000);
    await waitFor('the bucket holding exactly the copy', async () => {
      const keys = await s3!.keys('b-copies');
      return keys.every((k) => k.startsWith(`${uuid}/`)) ? keys : undefined;
    }, 30_000);
    const keys = await s3.keys('b-copies');
    expect(keys).toContain(`${uuid}/_manifest.json`);
    const media = keys.filter((k) => k.endsWith('-fragmented.mp4'));
    expect(media).toHaveLength(2);
    const name = media[0]!.split('/').pop()!;
    const originBytes = Buffer.from(await (await fetch(`${origin.url}/static/streaming-playlists/hls/${uuid}/${name}`)).arrayBuffer());
    const served = await fetch(`${copyBase}/${name}`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(originBytes)).toBe(true);
  });
});
