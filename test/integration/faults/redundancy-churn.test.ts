import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOffsetClock } from '../../../src/lib/clock.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

// Issue 10, item 11: toggling a policy back and forth downloaded the same copy each time. An
// evicted copy is withdrawn at once but keeps its files for `redundancy.eviction_grace`; planned
// again meanwhile, it is verified in place and announced again without a download.

describe('churn: a policy toggled back and forth', () => {
  const clock = createOffsetClock();
  let a: TestInstance;
  let b: TestInstance;
  let uuid = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const json = { 'content-type': 'application/json' };
  const budget = { check_interval: '10 minutes', strategies: [{ strategy: 'most-views', size: '1GB', min_lifetime: '1 hour' }], hosts: [] };
  const none = { check_interval: '10 minutes', strategies: [], hosts: [] };
  const setPolicy = async (body: unknown) => expect((await b.api('/api/v1/server/redundancy/policy', { method: 'PUT', headers: json, body: JSON.stringify(body) })).status).toBe(200);
  const rows = () => b.instance.prisma.videoRedundancy.findMany({ where: { actor: { host: null } } });
  const onDisk = async () => (await readdir(join(b.config.storage.redundancy, 'hls'))).filter((n) => !n.startsWith('.'));
  const listedOnA = async () => (await a.json<{ streamingPlaylists: { redundancies: { baseUrl: string }[] }[] }>(`/api/v1/videos/${uuid}`)).streamingPlaylists[0]!.redundancies.length;
  /** bytes B downloaded to build copies (all origins), from its /metrics */
  const downloaded = async () =>
    (await (await b.api('/metrics', { token: null })).text())
      .split('\n')
      .filter((l) => l.startsWith('mirrortube_transfer_bytes_total{') && l.includes('direction="downloaded"'))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const expectState = async (state: 'active' | 'grace', listed: number) => {
    await waitFor(`the copy ${state}`, async () => ((await rows()).map((r) => r.state).join() === state ? true : undefined), 60_000);
    await waitFor(`${listed} copy listed on A`, async () => ((await listedOnA()) === listed ? true : undefined), 60_000);
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startTestInstance({ db: 'embedded', clock }),
      startTestInstance({ db: 'postgres', clock, overrides: { redundancy: { min_lifetime_floor: '1 second', eviction_grace: '1 hour', videos: none } } }),
    ]);
    await b.api('/api/v1/server/following', { method: 'POST', headers: json, body: JSON.stringify({ hosts: [hostOf(a)] }) });
    uuid = ((await (await a.uploadMultipart(await generatedClip(), { name: 'toggled', channelId: '1' })).json()) as { video: { uuid: string } }).video.uuid;
    await a.waitForPublished(uuid);
    await waitFor('the video on B', () => b.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
    await b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: json, body: JSON.stringify({ redundancyAllowed: true }) });
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((i) => i.stop()));
  });

  it('five toggles download the copy once; each eviction withdraws it, each return announces it again', async () => {
    await setPolicy(budget);
    await expectState('active', 1);
    const once = await downloaded();
    expect(once).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      await setPolicy(none);
      await expectState('grace', 0);
      expect(await onDisk()).toEqual([uuid]);
      await setPolicy(budget);
      await expectState('active', 1);
    }
    expect(await downloaded()).toBe(once);
  });

  it('after the grace period an evicted copy\'s files are deleted', async () => {
    await setPolicy(none);
    await expectState('grace', 0);
    clock.advance(3_600_000 + 60_000);
    expect((await b.instance.scheduler.runNow('redundancy-plan')).status).toBe('completed');
    expect(await rows()).toEqual([]);
    expect(await onDisk()).toEqual([]);
    expect((await b.api('/healthz')).status).toBe(200);
  });
});
