import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

// Issue 10, item 15: host rules' budgets, disk figures per storage folder and HTTP answers by
// status class are exported (a host rule's budget was invisible: the budget alert could not fire).

/** The value of one series in a Prometheus exposition, or undefined when absent. */
function sample(exposition: string, name: string, labels: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('metrics that tell the truth', () => {
  let t: TestInstance;
  const scrape = async () => (await t.api('/metrics', { token: null })).text();
  const setPolicy = async (body: unknown) => {
    const res = await t.api('/api/v1/server/redundancy/policy', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded', overrides: { redundancy: { min_lifetime_floor: '1 second' } } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('each host rule has its used and limit series; a removed rule loses them', async () => {
    await setPolicy({
      check_interval: '10 minutes',
      strategies: [{ strategy: 'most-views', size: '1GB', min_lifetime: '1 hour' }],
      hosts: [{ host: 'tube.example', size: '3GB', min_lifetime: '1 hour', mirror_all: true }],
    });
    let m = await scrape();
    expect(sample(m, 'mirrortube_redundancy_limit_bytes', 'strategy="host:tube.example"')).toBe(3 * 1024 ** 3);
    expect(sample(m, 'mirrortube_redundancy_used_bytes', 'strategy="host:tube.example"')).toBe(0);
    expect(sample(m, 'mirrortube_redundancy_limit_bytes', 'strategy="most-views"')).toBe(1024 ** 3);
    await setPolicy({ check_interval: '10 minutes', strategies: [{ strategy: 'most-views', size: '1GB', min_lifetime: '1 hour' }], hosts: [] });
    m = await scrape();
    expect(sample(m, 'mirrortube_redundancy_limit_bytes', 'strategy="host:tube.example"')).toBeUndefined();
    expect(sample(m, 'mirrortube_redundancy_used_bytes', 'strategy="host:tube.example"')).toBeUndefined();
  });

  it('free, total and used bytes of each storage folder', async () => {
    let m = await scrape();
    for (const folder of ['web_videos', 'streaming_playlists', 'redundancy', 'torrents', 'thumbnails', 'previews', 'tmp', 'database']) {
      expect(sample(m, 'mirrortube_storage_free_bytes', `folder="${folder}"`)).toBeGreaterThan(0);
      expect(sample(m, 'mirrortube_storage_size_bytes', `folder="${folder}"`)).toBeGreaterThanOrEqual(sample(m, 'mirrortube_storage_free_bytes', `folder="${folder}"`)!);
      expect(sample(m, 'mirrortube_storage_used_bytes', `folder="${folder}"`)).toBeGreaterThanOrEqual(0);
    }
    expect((await t.instance.scheduler.runNow('storage-usage')).status).toBe('completed');
    const before = sample(await scrape(), 'mirrortube_storage_used_bytes', 'folder="redundancy"')!;
    await mkdir(join(t.config.storage.redundancy, 'hls', 'nested'), { recursive: true });
    await writeFile(join(t.config.storage.redundancy, 'hls', 'nested', 'a.bin'), Buffer.alloc(12_345));
    expect((await t.instance.scheduler.runNow('storage-usage')).status).toBe('completed');
    m = await scrape();
    expect(sample(m, 'mirrortube_storage_used_bytes', 'folder="redundancy"')).toBe(before + 12_345);
  });

  it('HTTP answers by status class, 5xx included from the start', async () => {
    const before = sample(await scrape(), 'mirrortube_http_responses_total', 'status="4xx"') ?? 0;
    expect((await t.api('/api/v1/videos/no-such-video')).status).toBe(404);
    const m = await scrape();
    expect(sample(m, 'mirrortube_http_responses_total', 'status="4xx"')).toBe(before + 1);
    expect(sample(m, 'mirrortube_http_responses_total', 'status="5xx"')).toBe(0);
  });
});
