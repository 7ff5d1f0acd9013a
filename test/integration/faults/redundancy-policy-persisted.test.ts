import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../support/instance.js';
import type { TestDatabaseKind } from '../../support/database.js';
import { startRestartable, type RestartableInstance } from './operator-support.js';

// Issue 10, items 9 and 10: the redundancy policy set through the API is stored (a row per
// version), survives a restart, says where it comes from; only JSON that validates fully changes it.

interface PolicyAnswer {
  source: 'config' | 'api';
  version: number | null;
  updatedAt: string | null;
  strategies: { strategy: string; size: string }[];
  hosts: unknown[];
}

describe.each<TestDatabaseKind>(['embedded', 'postgres'])('the redundancy policy set through the API (%s)', (db) => {
  let t: RestartableInstance;
  let cleanup: () => Promise<void> = async () => {};
  const path = '/api/v1/server/redundancy/policy';
  const get = async () => (await (await t.api(path)).json()) as PolicyAnswer;
  const put = (body: string, contentType: string) => t.api(path, { method: 'PUT', headers: { 'content-type': contentType }, body });
  const versions = () => t.instance.prisma.redundancyPolicyVersion.count();

  beforeAll(async () => {
    const made = await testConfig({
      db,
      overrides: {
        redundancy: {
          min_lifetime_floor: '1 second',
          videos: { check_interval: '10 minutes', strategies: [{ strategy: 'most-views', size: '1GB', min_lifetime: '1 hour' }] },
        },
      },
    });
    cleanup = made.cleanup;
    t = await startRestartable(made.config);
  });
  afterAll(async () => {
    await t?.stop();
    await cleanup();
  });

  it('the config file\'s policy is in force until the API sets one, and says so', async () => {
    const answer = await get();
    expect(answer).toMatchObject({ source: 'config', version: null, updatedAt: null, strategies: [{ strategy: 'most-views', size: '1GB' }] });
    expect(await versions()).toBe(0);
  });

  it('YAML, plain text, a form, broken JSON and {} change nothing (415/400 naming the field)', async () => {
    const yaml = 'strategies: []\nhosts: []\n';
    const refused: [string, string, number, RegExp][] = [
      [yaml, 'application/yaml', 415, /application\/json/],
      [yaml, 'text/plain', 415, /application\/json/],
      ['strategies=', 'application/x-www-form-urlencoded', 415, /application\/json/],
      ['{"strategies": [', 'application/json', 400, /./],
      ['{}', 'application/json', 400, /strategies is required/],
      ['[]', 'application/json', 400, /JSON object/],
      ['{"check_interval": "1 hour"}', 'application/json', 400, /strategies is required/],
      [JSON.stringify({ strategies: [{ strategy: 'most-views', size: 'lots', min_lifetime: '1 hour' }] }), 'application/json', 400, /strategies\[0\].*size/],
    ];
    for (const [body, type, status, detail] of refused) {
      const res = await put(body, type);
      const text = await res.text();
      expect([type, body, res.status]).toEqual([type, body, status]);
      expect(text).toMatch(detail);
    }
    expect(await get()).toMatchObject({ source: 'config', version: null, strategies: [{ strategy: 'most-views', size: '1GB' }] });
    expect(await versions()).toBe(0);
    expect((await t.api('/healthz')).status).toBe(200);
  });

  it('each accepted change is a stored version; GET\'s own body can be sent back', async () => {
    const first = await put(JSON.stringify({ check_interval: '20 minutes', strategies: [{ strategy: 'trending', size: '2GB', min_lifetime: '1 hour' }], hosts: [] }), 'application/json');
    expect(first.status).toBe(200);
    const one = (await first.json()) as PolicyAnswer;
    expect(one).toMatchObject({ source: 'api', version: expect.any(Number), strategies: [{ strategy: 'trending', size: '2GB' }] });
    expect(Date.parse(one.updatedAt!)).not.toBeNaN();
    // the planning tick follows the policy in force
    expect(t.instance.scheduler.intervalOf('redundancy-plan')).toBe(20 * 60_000);
    // GET's body (with source/version/updatedAt) is accepted back as is: a new version, same rules
    const again = await put(JSON.stringify(await get()), 'application/json; charset=utf-8');
    expect(again.status).toBe(200);
    const two = (await again.json()) as PolicyAnswer;
    expect(two.version).toBeGreaterThan(one.version!);
    expect(two.strategies).toEqual(one.strategies);
    expect(await versions()).toBe(2);
  });

  it('a restart on the same storage and database keeps the API\'s policy in force', async () => {
    const before = await get();
    await t.restart();
    const after = await get();
    expect(after).toEqual(before);
    expect(after.source).toBe('api');
    // the planner sees it too
    expect(t.instance.redundancy.policy.strategies.map((s) => [s.strategy, s.sizeBytes])).toEqual([['trending', 2 * 1024 ** 3]]);
    expect(t.instance.scheduler.intervalOf('redundancy-plan')).toBe(20 * 60_000);
  });
});
