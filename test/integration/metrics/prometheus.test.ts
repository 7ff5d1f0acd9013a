import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import {
  alertExpressions,
  dashboardExpressions,
  GRAFANA_DIR,
  onlyFamilies,
  promtool,
  startPrometheus,
  substituteGrafanaVariables,
  withBoolComparisons,
  type QueryUse,
} from '../../support/prometheus.js';
import { leech, startRestartableInstance, torrentWithOnlyTrackers } from '../../support/seeding.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

// A real Prometheus (Debian's package) scrapes a running instance through a scripted scenario:
// upload and transcode, HTTP and BitTorrent downloads, a player's report, a real mirrored copy of
// another instance's video (followed, allowed, planned, downloaded) served over HTTP. Then every PromQL expression of the dashboards and alert rules must return data.

const SCRAPE_SECONDS = 1;

describe('Prometheus, promtool and the Grafana dashboards against a running instance', () => {
  let t: Awaited<ReturnType<typeof startRestartableInstance>>;
  let prometheus: Awaited<ReturnType<typeof startPrometheus>>;

  let origin: TestInstance;

  beforeAll(async () => {
    [t, origin] = await Promise.all([
      startRestartableInstance({
        overrides: {
          redundancy: {
            min_lifetime_floor: '1 second',
            videos: { check_interval: '1 second', strategies: [{ strategy: 'most-views', size: '50MB', min_lifetime: '1 hour' }] },
          },
        },
      }),
      startTestInstance({ db: 'embedded' }),
    ]);
    prometheus = await startPrometheus({
      target: `127.0.0.1:${t.instance.port}`,
      scrapeIntervalSeconds: SCRAPE_SECONDS,
      ruleFiles: [join(GRAFANA_DIR, 'prometheus', 'alerts.yml')],
    });

    // The scenario.
    const clip = await generatedClip({ seconds: 3, width: 320, height: 240 });
    const { uuid } = await t.upload(clip, 'scraped video');
    const video = await t.waitForPublished(uuid);
    const files = video.streamingPlaylists[0]!.files;
    const file = files[0]!;
    await t.waitForSeeding(files.map((f) => /btih:([0-9a-f]{40})/.exec(f.magnetUri)![1]!));
    const torrent = Buffer.from(await (await fetch(file.torrentUrl)).arrayBuffer());
    await leech(torrentWithOnlyTrackers(torrent, [[`${t.url}/tracker/announce`]]));
    await (await fetch(file.fileUrl)).arrayBuffer();
    await (await fetch(file.fileUrl, { headers: { range: 'bytes=0-999' } })).arrayBuffer();
    // A real mirror: t follows the origin, is allowed to mirror it, plans, downloads and serves the copy.
    const originHost = `127.0.0.1:${origin.instance.port}`;
    const follow = await fetch(`${t.url}/api/v1/server/following`, { method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [originHost] }) });
    expect(follow.status).toBe(204);
    const remote = ((await (await origin.uploadMultipart(clip, { name: 'mirrored and scraped', channelId: '1' })).json()) as { video: { uuid: string } }).video.uuid;
    await origin.waitForPublished(remote);
    await waitFor('the remote video on the mirror', () => fetch(`${t.url}/api/v1/videos/${remote}`).then((r) => (r.ok ? true : undefined)), 30_000);
    const allow = await fetch(`${t.url}/api/v1/server/redundancy/${originHost}`, { method: 'PUT', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
    expect(allow.status).toBe(204);
    await t.instance.scheduler.runNow('redundancy-plan');
    await waitFor('the copy', async () => ((await t.prisma.videoRedundancy.count({ where: { state: 'active' } })) === 1 ? true : undefined), 60_000);
    const copyFile = (await readdir(join(t.config.storage.redundancy, 'hls', remote))).find((f) => f.endsWith('-fragmented.mp4'))!;
    await (await fetch(`${t.url}/static/redundancy/hls/${remote}/${copyFile}`)).arrayBuffer();
    const playback = await fetch(`${t.url}/api/v1/metrics/playback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        playerMode: 'p2p-media-loader',
        resolution: 240,
        p2pEnabled: true,
        p2pPeers: 2,
        resolutionChanges: 0,
        bufferStalled: 0,
        errors: 0,
        downloadedBytesP2P: 1000,
        downloadedBytesHTTP: 3000,
        uploadedBytesP2P: 500,
        videoId: uuid,
      }),
    });
    expect(playback.status).toBe(204);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await t?.stop();
    await origin?.stop();
  });

  it('promtool test rules passes (alerts.yml against alerts.test.yml), and the example configuration is valid', () => {
    const tested = promtool(['test', 'rules', 'prometheus/alerts.test.yml']);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.status).toBe(0);
    const config = promtool(['check', 'config', 'prometheus/prometheus.yml']);
    expect(config.status, config.output).toBe(0);
  });

  it('promtool check metrics is clean on a scrape of the running instance (our metrics)', async () => {
    const scrape = await t.metrics();
    const ours = onlyFamilies(scrape, 'mirrortube_');
    expect(ours).toContain('mirrortube_transfer_bytes_total{direction="served",protocol="bittorrent"');
    const lint = promtool(['check', 'metrics'], ours);
    expect(lint.output.trim()).toBe('');
    expect(lint.status).toBe(0);
    // prom-client's default process metrics draw lint remarks of their own (e.g. nodejs_active_handles_total
    // is a gauge named _total); they are not ours to rename. Show them, do not fail on them.
    const whole = promtool(['check', 'metrics'], scrape);
    const remarks = whole.output.split('\n').filter((l) => l.trim() !== '');
    expect(remarks.filter((l) => l.includes('mirrortube_'))).toEqual([]);
  });

  it('a real Prometheus scrapes it, loads the alert rules, and every dashboard and alert expression returns data', async () => {
    const uses: QueryUse[] = [
      ...(await dashboardExpressions()).map((u) => ({ ...u, expr: substituteGrafanaVariables(u.expr, '10s') })),
      ...(await alertExpressions()).map((u) => ({ ...u, expr: withBoolComparisons(u.expr) })),
    ];
    expect(uses.length).toBeGreaterThan(40);
    expect((await alertExpressions()).length).toBe(10);

    let empty: QueryUse[] = uses;
    try {
      await waitFor(
        'every expression to return data',
        async () => {
          const results = await Promise.all(empty.map(async (u) => ({ u, n: (await prometheus.query(u.expr)).length })));
          empty = results.filter((r) => r.n === 0).map((r) => r.u);
          return empty.length === 0 ? true : undefined;
        },
        30_000,
        SCRAPE_SECONDS * 1000,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\nexpressions without data:\n${empty.map((u) => `  ${u.where}: ${u.expr}`).join('\n')}\n${prometheus.log()}`);
    }

    // The figures Prometheus holds are the instance's own.
    const up = await prometheus.query('up{job="mirrortube"}');
    expect(up.map((r) => r.value[1])).toEqual(['1']);
    // the mirror's seeding ratio for the origin: Prometheus and the REST totals agree
    const originHost = `127.0.0.1:${origin.instance.port}`;
    await waitFor('the same ratio in Prometheus and REST', async () => {
      const rest = (await (await fetch(`${t.url}/api/v1/server/transfers`, { headers: { authorization: `Bearer ${t.token}` } })).json()) as { hosts: { originHost: string; ratio: number | null }[] };
      const expected = rest.hosts.find((h) => h.originHost === originHost)?.ratio;
      const scraped = Number((await prometheus.query(`mirrortube_seeding_ratio{origin_host="${originHost}"}`))[0]?.value[1]);
      return typeof expected === 'number' && expected > 0 && Math.abs(scraped - expected) < 1e-9 ? true : undefined;
    }, 30_000, SCRAPE_SECONDS * 1000);
    const rules = await prometheus.rules();
    expect(rules.map((r) => r.name).sort()).toEqual((await alertExpressions()).map((u) => u.where.replace('alert ', '')).sort());
    await waitFor('the rules to be evaluated', async () => ((await prometheus.rules()).every((r) => r.health === 'ok') ? true : undefined), 10_000, 200);
  });
});

describe('withBoolComparisons', () => {
  it.each([
    ['up{job="mirrortube"} == 0', 'up{job="mirrortube"} == bool 0'],
    ['a / (b > 0) > 0.95', 'a / (b > bool 0) > bool 0.95'],
    ['x{outcome=~"failed|gave-up", a!="b"} >= 1 and y <= 2', 'x{outcome=~"failed|gave-up", a!="b"} >= bool 1 and y <= bool 2'],
    ['a > bool 1', 'a > bool 1'],
    ['sum by (k) (rate(x[5m]))', 'sum by (k) (rate(x[5m]))'],
  ])('%s', (input, output) => expect(withBoolComparisons(input)).toBe(output));
});
