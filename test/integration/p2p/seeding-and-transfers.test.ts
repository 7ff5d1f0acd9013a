import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferReport } from '../../../src/transfers/index.js';
import { generatedClip } from '../../support/media.js';
import { freePort } from '../../support/ports.js';
import {
  fakeMirrorCopy,
  leech,
  parseExposition,
  startRestartableInstance,
  sumSamples,
  torrentWithOnlyTrackers,
  type PublishedVideo,
} from '../../support/seeding.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const infoHashOf = (magnetUri: string) => /xt=urn:btih:([0-9a-f]{40})/.exec(magnetUri)![1]!;
const ORIGIN = 'origin.example';

type Instance = Awaited<ReturnType<typeof startRestartableInstance>>;

/** REST totals of one protocol for our local videos (own host). */
function localBytes(report: TransferReport, host: string, protocol: 'http' | 'bittorrent' | 'webrtc'): number {
  return report.totals.find((t) => t.originHost === host && t.kind === 'local')?.protocols[protocol].uploadedBytes ?? 0;
}

describe('server-side seeding and transfer accounting (PostgreSQL)', () => {
  let t: Instance;
  let host: string;
  let video: PublishedVideo;
  let file: PublishedVideo['streamingPlaylists'][number]['files'][number];
  let torrent: Buffer;
  let content: Buffer;

  const report = (query = '') => t.json<TransferReport>(`/api/v1/server/transfers${query}`);
  const served = async (labels: Record<string, string>) =>
    sumSamples(parseExposition(await t.metrics()), 'mirrortube_transfer_bytes_total', { direction: 'served', ...labels });

  beforeAll(async () => {
    // Totals are only written on demand here (reports and stop flush first): the test shows that
    // nothing depends on the timer.
    t = await startRestartableInstance({ overrides: { metrics: { transfers_flush_interval: '1 hour' } } });
    host = t.instance.urls.host;
    const clip = await generatedClip({ seconds: 3, width: 320, height: 240 });
    const uploaded = await t.upload(clip, 'seeded video');
    video = await t.waitForPublished(uploaded.uuid);
    file = [...video.streamingPlaylists[0]!.files].sort((a, b) => b.size - a.size)[0]!;
    torrent = Buffer.from(await (await fetch(file.torrentUrl)).arrayBuffer());
    await t.waitForSeeding(video.streamingPlaylists[0]!.files.map((f) => infoHashOf(f.magnetUri)));
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('a client that knows only our tracker (no webseed) downloads the file from our seeder over BitTorrent; served bytes grow by its size in REST and /metrics alike', async () => {
    const before = await report();
    const trackerOnly = torrentWithOnlyTrackers(torrent, [[`${t.url}/tracker/announce`]]);

    const result = await leech(trackerOnly);

    expect(result.infoHash).toBe(infoHashOf(file.magnetUri));
    expect(result.urlList).toEqual([]);
    expect(result.wireTypes.length).toBeGreaterThan(0);
    expect(result.wireTypes.every((w) => w === 'tcpOutgoing' || w === 'tcpIncoming')).toBe(true);
    const after = await report();
    const grown = localBytes(after, host, 'bittorrent') - localBytes(before, host, 'bittorrent');
    expect(grown).toBeGreaterThanOrEqual(file.size);
    expect(grown).toBeLessThan(file.size * 1.1);
    // The same figure in /metrics, and nothing went over HTTP meanwhile.
    expect(await served({ protocol: 'bittorrent', kind: 'local', origin_host: host })).toBe(localBytes(after, host, 'bittorrent'));
    expect(localBytes(after, host, 'http')).toBe(localBytes(before, host, 'http'));
    const perVideo = await report(`?videoId=${video.uuid}`);
    expect(perVideo.videos.total).toBe(1);
    expect(perVideo.videos.data[0]).toMatchObject({ videoUuid: video.uuid, originHost: host, kind: 'local', downloadedBytes: 0, ratio: null });
    // The bytes are the file's (fetched last: that fetch is HTTP).
    const original = Buffer.from(await (await fetch(file.fileUrl)).arrayBuffer());
    expect(sha256(result.data)).toBe(sha256(original));

    const samples = parseExposition(await t.metrics());
    expect(sumSamples(samples, 'mirrortube_tracker_announces_total', { protocol: 'http', event: 'started' })).toBeGreaterThanOrEqual(2);
    expect(sumSamples(samples, 'mirrortube_tracker_swarms')).toBeGreaterThanOrEqual(1);
    expect(sumSamples(samples, 'mirrortube_seeder_torrents')).toBe(video.streamingPlaylists[0]!.files.length);
  });

  it('HTTP downloads, ranges included, are counted as http byte for byte', async () => {
    const before = localBytes(await report(), host, 'http');
    const range = await fetch(file.fileUrl, { headers: { range: 'bytes=100-1099' } });
    expect(range.status).toBe(206);
    expect((await range.arrayBuffer()).byteLength).toBe(1000);
    const suffix = await fetch(file.fileUrl, { headers: { range: 'bytes=-500' } });
    expect((await suffix.arrayBuffer()).byteLength).toBe(500);
    const head = await fetch(file.fileUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const full = await fetch(file.fileUrl);
    expect((await full.arrayBuffer()).byteLength).toBe(file.size);

    const after = await report();
    expect(localBytes(after, host, 'http') - before).toBe(1000 + 500 + file.size);
    expect(await served({ protocol: 'http', kind: 'local', origin_host: host })).toBe(localBytes(after, host, 'http'));
  });

  it('a WebRTC peer (what browsers are) finds our seeder through /tracker/socket and is counted as webrtc', async () => {
    const before = localBytes(await report(), host, 'webrtc');
    const socketOnly = torrentWithOnlyTrackers(torrent, [[`${t.instance.urls.wsBase}/tracker/socket`]]);
    const result = await leech(socketOnly, 25_000, 3);
    expect(result.wireTypes).toEqual(['webrtc']);
    content = result.data;
    expect(content.length).toBe(file.size);
    const after = await report();
    expect(localBytes(after, host, 'webrtc') - before).toBeGreaterThanOrEqual(file.size);
    expect(await served({ protocol: 'webrtc', kind: 'local', origin_host: host })).toBe(localBytes(after, host, 'webrtc'));
  });

  it('a mirrored copy: served ÷ downloaded is its ratio, per copy and per origin host, the same in REST and /metrics', async () => {
    const copy = await fakeMirrorCopy(t.prisma, t.config.storage.redundancy, ORIGIN, join(t.config.storage.streaming_playlists, 'hls', video.uuid, file.fileUrl.split('/').pop()!));
    // Served first: the origin host is looked up from the video (its channel's actor).
    const res = await fetch(`${t.url}${copy.path}`);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.status, `${copy.path}: ${body.subarray(0, 200).toString()}`).toBe(200);
    expect(body.length).toBe(copy.size);
    t.instance.transfers.recordDownload({ videoUuid: copy.uuid, originHost: ORIGIN, protocol: 'http', bytes: copy.size * 2 });

    const rest = await report();
    const hostEntry = rest.hosts.find((h) => h.originHost === ORIGIN)!;
    expect(hostEntry).toMatchObject({ uploadedBytes: copy.size, downloadedBytes: copy.size * 2, ratio: 0.5 });
    expect(rest.totals.find((h) => h.originHost === ORIGIN)).toMatchObject({ kind: 'mirror', ratio: 0.5 });
    const perCopy = await report(`?videoId=${copy.uuid}`);
    expect(perCopy.videos.data[0]).toMatchObject({ videoUuid: copy.uuid, kind: 'mirror', originHost: ORIGIN, uploadedBytes: copy.size, ratio: 0.5 });

    const samples = parseExposition(await t.metrics());
    const ratios = samples.filter((s) => s.name === 'mirrortube_seeding_ratio');
    // Only hosts we downloaded from have a ratio: local videos (never downloaded) have none.
    expect(ratios).toEqual([{ name: 'mirrortube_seeding_ratio', labels: { origin_host: ORIGIN }, value: hostEntry.ratio }]);
    expect(rest.hosts.find((h) => h.originHost === host)?.ratio).toBeNull();
    expect(sumSamples(samples, 'mirrortube_transfer_bytes_total', { direction: 'downloaded', kind: 'mirror', origin_host: ORIGIN })).toBe(copy.size * 2);
    expect(sumSamples(samples, 'mirrortube_transfer_bytes_total', { direction: 'served', kind: 'mirror', origin_host: ORIGIN })).toBe(copy.size);
  });

  it('totals survive a restart: REST and /metrics continue from where they were, and the seeder seeds again', async () => {
    const before = await report();
    const beforeMetrics = parseExposition(await t.metrics()).filter((s) => s.name === 'mirrortube_transfer_bytes_total' || s.name === 'mirrortube_seeding_ratio');
    expect(before.total.uploadedBytes).toBeGreaterThan(0);

    await t.restart();

    const after = await report();
    expect(after.totals).toEqual(before.totals);
    expect(after.videos).toEqual(before.videos);
    const afterMetrics = parseExposition(await t.metrics()).filter((s) => s.name === 'mirrortube_transfer_bytes_total' || s.name === 'mirrortube_seeding_ratio');
    expect(afterMetrics.filter((s) => s.value > 0)).toEqual(expect.arrayContaining(beforeMetrics.filter((s) => s.value > 0)));
    expect(afterMetrics.filter((s) => s.value > 0).length).toBe(beforeMetrics.filter((s) => s.value > 0).length);
    await t.waitForSeeding(video.streamingPlaylists[0]!.files.map((f) => infoHashOf(f.magnetUri)));
  });

  it('deleting a video stops seeding it; its transfer history stays', async () => {
    const hashes = video.streamingPlaylists[0]!.files.map((f) => infoHashOf(f.magnetUri));
    const token = await t.json<{ access_token: string }>('/api/v1/users/token', {
      method: 'POST',
      body: new URLSearchParams({ ...(await t.json<Record<string, string>>('/api/v1/oauth-clients/local')), grant_type: 'password', username: 'root', password: 'test-root-password' }),
    });
    const res = await fetch(`${t.url}/api/v1/videos/${video.uuid}`, { method: 'DELETE', headers: { authorization: `Bearer ${token.access_token}` } });
    expect(res.status).toBe(204);
    expect(hashes.some((h) => t.instance.seeding.seeder!.isSeeding(h))).toBe(false);
    expect(t.instance.seeding.seeder!.stats().torrents).toBe(0);
    const history = await report(`?videoId=${video.uuid}`).catch((e: Error) => e.message);
    expect(history).toMatch(/404/); // the video is gone, so it cannot be named…
    expect((await report()).videos.data.some((v) => v.videoUuid === video.uuid)).toBe(true); // …but its bytes remain counted
  });

  it('POST /api/v1/metrics/playback: a valid report → 204 and counted; a bad one → 400 naming the fields; an unknown video → 404', async () => {
    const copyVideo = await t.prisma.video.findFirstOrThrow({ where: { isLocal: false } });
    const body = {
      playerMode: 'p2p-media-loader',
      resolution: 240,
      fps: 25,
      p2pEnabled: true,
      p2pPeers: 3,
      resolutionChanges: 1,
      bufferStalled: 2,
      errors: 0,
      downloadedBytesP2P: 4000,
      downloadedBytesHTTP: 6000,
      uploadedBytesP2P: 1500,
      videoId: copyVideo.uuid,
    };
    const post = (b: unknown) => fetch(`${t.url}/api/v1/metrics/playback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    expect((await post(body)).status).toBe(204);
    expect((await post({ ...body, videoId: copyVideo.id })).status).toBe(204);

    const bad = await post({ ...body, playerMode: 'flash', downloadedBytesHTTP: -1, errors: 'many' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await bad.json()) as { detail: string; invalidParams: string[] };
    expect(problem.invalidParams.sort()).toEqual(['downloadedBytesHTTP', 'errors', 'playerMode']);
    expect(problem.detail).toMatch(/playerMode/);
    expect((await post({ ...body, videoId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);

    const samples = parseExposition(await t.metrics());
    expect(sumSamples(samples, 'mirrortube_playback_reports_total', { player_mode: 'p2p-media-loader', p2p_enabled: 'true', resolution: '240' })).toBe(2);
    expect(sumSamples(samples, 'mirrortube_playback_bytes_total', { direction: 'downloaded', protocol: 'p2p' })).toBe(8000);
    expect(sumSamples(samples, 'mirrortube_playback_bytes_total', { direction: 'downloaded', protocol: 'http' })).toBe(12000);
    expect(sumSamples(samples, 'mirrortube_playback_stalls_total')).toBe(4);
    expect(sumSamples(samples, 'mirrortube_playback_p2p_peers_count')).toBe(2);
    // No per-video label anywhere.
    expect(samples.some((s) => Object.values(s.labels).includes(copyVideo.uuid))).toBe(false);
  });
});

describe('/metrics on its own listener behind a bearer token', () => {
  it('answers only there, and only with the token', async () => {
    const port = await freePort();
    const token = 'a-long-enough-metrics-token';
    const t = await startRestartableInstance({ overrides: { metrics: { listen: { hostname: '127.0.0.1', port }, bearer_token: token }, seeding: { enabled: false } } });
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
      const anonymous = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('mirrortube_build_info');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await t.stop();
    }
  });
});
