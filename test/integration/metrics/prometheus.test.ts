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
import { fakeMirrorCopy, leech, startRestartableInstance, torrentWithOnlyTrackers } from '../../support/seeding.js';

// A real Prometheus (Debian's package) scrapes a running instance through a scripted scenario:
// upload and transcode, HTTP and BitTorrent downloads, a player's report, a mirrored copy served
// and downloaded. Then every PromQL expression of the dashboards and alert rules must return data.

const SCRAPE_SECONDS = 1;

describe('Prometheus, promtool and the Grafana dashboards against a running instance', () => {
  let t: Awaited<ReturnType<typeof startRestartableInstance>>;
  let prometheus: Awaited<ReturnType<typeof startPrometheus>>;

  beforeAll(async () => {
    t = await startRestartableInstance();
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
    const copy = await fakeMirrorCopy(t.prisma, t.config.storage.redundancy, 'origin.example', join(t.config.storage.streaming_playlists, 'hls', uuid, file.fileUrl.split('/').pop()!));
    await (await fetch(`${t.url}${copy.path}`)).arrayBuffer();
    t.instance.transfers.recordDownload({ videoUuid: copy.uuid, originHost: 'origin.example', protocol: 'http', bytes: copy.size });
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
    expect((await alertExpressions()).length).toBe(7);

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
    const ratio = await prometheus.query('mirrortube_seeding_ratio{origin_host="origin.example"}');
    expect(Number(ratio[0]?.value[1])).toBe(1);
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
