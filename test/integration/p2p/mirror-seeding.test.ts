import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferReport } from '../../../src/transfers/index.js';
import { readTorrentInfo } from '../../../src/p2p/index.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { leech, parseExposition, sumSamples, torrentWithOnlyTrackers } from '../../support/seeding.js';

// The whole chain with the redundancy engine: B mirrors a video of A, B's seeder seeds the copy,
// and a WebTorrent client that knows only B's tracker (no webseed) downloads it from B.

const MIRROR_POLICY = {
  redundancy: {
    min_lifetime_floor: '1 second',
    videos: { check_interval: '1 second', strategies: [{ strategy: 'most-views', size: '50MB', min_lifetime: '1 hour' }] },
  },
};
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('seeding a mirrored copy (B mirrors A)', () => {
  let a: TestInstance;
  let b: TestInstance;
  let uuid = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestInstance({ db: 'postgres' }), startTestInstance({ db: 'postgres', overrides: MIRROR_POLICY })]);
    const follow = await b.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) });
    expect(follow.status).toBe(204);
    const { video } = (await (await a.uploadMultipart(await generatedClip(), { name: 'mirrored and seeded', channelId: '1' })).json()) as { video: { uuid: string } };
    uuid = video.uuid;
    await a.waitForPublished(uuid);
    await waitFor('the video on B', () => b.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
    const allow = await b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
    expect(allow.status).toBe(204);
    await b.instance.scheduler.runNow('redundancy-plan');
    await waitFor(
      'the copy on B',
      async () => ((await b.json<{ streamingPlaylists: { redundancies: unknown[] }[] }>(`/api/v1/videos/${uuid}`)).streamingPlaylists[0]!.redundancies.length > 0 ? true : undefined),
      60_000,
    );
    // the origin's probe of the copy (B serves it a playlist and a segment) is over before anything is measured
    await waitFor(
      'the copy probed and listed by A',
      async () => ((await a.json<{ streamingPlaylists: { redundancies: unknown[] }[] }>(`/api/v1/videos/${uuid}`)).streamingPlaylists[0]!.redundancies.length > 0 ? true : undefined),
      60_000,
    );
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((t) => t.stop()));
  });

  it('B seeds its copy; a client that knows only B\'s tracker downloads it from B; served bytes, ratio per origin host in REST and /metrics agree', async () => {
    const seeded = await b.instance.scheduler.runNow('seeding-copies');
    expect(seeded.status).toBe('completed');
    const copyDir = join(b.config.storage.redundancy, 'hls', uuid);
    const names = await readdir(copyDir);
    const media = names.filter((n) => n.endsWith('-fragmented.mp4')).sort()[0]!;
    const torrentName = names.find((n) => n === media.replace(/\.mp4$/, '.torrent') || n === `${media}.torrent`)!;
    const torrent = await readFile(join(copyDir, torrentName));
    const info = readTorrentInfo(torrent);
    if (!info.ok) throw new Error('unreadable copy torrent');
    const size = (await stat(join(copyDir, media))).size;
    expect(b.instance.seeding.seeder!.list({ videoUuid: uuid }).map((s) => [s.kind, s.originHost])).toContainEqual(['mirror', hostOf(a)]);
    expect(b.instance.seeding.seeder!.isSeeding(info.value.infoHash)).toBe(true);

    const report = () => b.json<TransferReport>('/api/v1/server/transfers');
    const before = (await report()).hosts.find((h) => h.originHost === hostOf(a));
    // the engine recorded what it downloaded from A to build the copy
    expect(before?.downloadedBytes).toBeGreaterThan(0);

    const result = await leech(torrentWithOnlyTrackers(torrent, [[`${b.url}/tracker/announce`]]));
    expect(result.infoHash).toBe(info.value.infoHash);
    expect(result.urlList).toEqual([]);
    expect(result.wireTypes.length).toBeGreaterThan(0);
    expect(result.wireTypes.every((w) => w.startsWith('tcp'))).toBe(true);
    expect(sha256(result.data)).toBe(sha256(await readFile(join(copyDir, media))));

    const rest = await report();
    const host = rest.hosts.find((h) => h.originHost === hostOf(a))!;
    const grown = host.protocols.bittorrent.uploadedBytes - before!.protocols.bittorrent.uploadedBytes;
    expect(grown).toBeGreaterThanOrEqual(size);
    expect(grown).toBeLessThan(size * 1.1);
    expect(host.ratio).toBe(host.uploadedBytes / host.downloadedBytes);
    expect(rest.totals.find((t) => t.originHost === hostOf(a))).toMatchObject({ kind: 'mirror' });
    const copy = (await b.json<TransferReport>(`/api/v1/server/transfers?videoId=${uuid}`)).videos.data[0]!;
    expect(copy).toMatchObject({ videoUuid: uuid, kind: 'mirror', originHost: hostOf(a) });
    expect(copy.ratio).toBe(copy.uploadedBytes / copy.downloadedBytes);

    const samples = parseExposition(await (await fetch(`${b.url}/metrics`)).text());
    expect(samples.filter((s) => s.name === 'mirrortube_seeding_ratio' && s.labels.origin_host === hostOf(a)).map((s) => s.value)).toEqual([host.ratio]);
    expect(sumSamples(samples, 'mirrortube_transfer_bytes_total', { direction: 'served', protocol: 'bittorrent', kind: 'mirror', origin_host: hostOf(a) })).toBe(
      host.protocols.bittorrent.uploadedBytes,
    );
    expect(sumSamples(samples, 'mirrortube_transfer_bytes_total', { direction: 'downloaded', kind: 'mirror', origin_host: hostOf(a) })).toBe(host.downloadedBytes);
  });
});
