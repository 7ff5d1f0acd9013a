import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

// Issue 10, item 10: applying a policy that evicts a copy while its download runs answered 500
// (ENOTEMPTY: the work folder was removed under the writer) and left the download running. The
// eviction now stops the copy's job and waits for it before removing its files.

const MIRROR_JOB = 'videos-redundancy-mirror';

describe('a policy change that evicts a copy being written', () => {
  let a: TestInstance;
  let b: TestInstance;
  let uuid = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const json = { 'content-type': 'application/json' };
  const rows = () => b.instance.prisma.videoRedundancy.findMany({ where: { actor: { host: null } } });
  const workDirs = async () => (await readdir(join(b.config.storage.tmp, 'mirror')).catch(() => [] as string[])).filter((n) => n.startsWith('mirror-'));
  const setPolicy = (body: unknown) => b.api('/api/v1/server/redundancy/policy', { method: 'PUT', headers: json, body: JSON.stringify(body) });

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startTestInstance({ db: 'embedded' }),
      startTestInstance({
        db: 'postgres',
        overrides: {
          redundancy: {
            min_lifetime_floor: '1 second',
            videos: { check_interval: '10 minutes', strategies: [] },
            // slow enough that the copy is still being written when the policy changes
            mirror: { bandwidth: '4KB' },
          },
        },
      }),
    ]);
    await b.api('/api/v1/server/following', { method: 'POST', headers: json, body: JSON.stringify({ hosts: [hostOf(a)] }) });
    uuid = ((await (await a.uploadMultipart(await generatedClip(), { name: 'evicted mid-download', channelId: '1' })).json()) as { video: { uuid: string } }).video.uuid;
    await a.waitForPublished(uuid);
    await waitFor('the video on B', () => b.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
    await b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: json, body: JSON.stringify({ redundancyAllowed: true }) });
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((i) => i.stop()));
  });

  it('answers 200, stops the download, and leaves no row, work folder or copy', async () => {
    expect((await setPolicy({ check_interval: '10 minutes', strategies: [{ strategy: 'most-views', size: '1GB', min_lifetime: '1 hour' }] })).status).toBe(200);
    await waitFor('the copy being written', async () => {
      const [row] = await rows();
      const running = await b.instance.prisma.job.count({ where: { kind: MIRROR_JOB, state: 'active' } });
      return row?.state === 'downloading' && running === 1 && (await workDirs()).length === 1 ? true : undefined;
    }, 60_000);

    const res = await setPolicy({ check_interval: '10 minutes', strategies: [], hosts: [] });
    expect(res.status).toBe(200);
    // when the answer comes, the download has stopped and everything of the copy is gone
    expect(await b.instance.prisma.job.count({ where: { kind: MIRROR_JOB, state: 'active' } })).toBe(0);
    expect(await rows()).toEqual([]);
    expect(await workDirs()).toEqual([]);
    expect(await readdir(join(b.config.storage.redundancy, 'hls'))).toEqual([]);
    // the job ended without a failure to retry, and the next ticks stay clean
    const [job] = await b.instance.prisma.job.findMany({ where: { kind: MIRROR_JOB } });
    expect(job?.state).toBe('completed');
    expect((await b.instance.scheduler.runNow('redundancy-plan')).status).toBe('completed');
    expect(await rows()).toEqual([]);
    expect(await readdir(join(b.config.storage.redundancy, 'hls'))).toEqual([]);
    expect((await b.api('/healthz')).status).toBe(200);
  });
});
