import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/ports.js';
import { expectServedFromMemory, publishTestStream, TEST_LIVE_CONFIG } from '../../support/live.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

/**
 * Live relay by a mirror: three instances on 127.0.0.1. The origin (PostgreSQL) runs a live fed by
 * a real ffmpeg publisher over RTMP (small latency: 1 s segments, 160x90); the relay follows it,
 * allows it and its host rule has `live: true`; the viewer side follows the origin. While the live
 * runs the relay serves its playlists (the origin's, byte for byte) and segments whose bytes match
 * the origin's live hash list, and the origin lists the relay among the live's redundancies; when
 * the publisher stops, the relay withdraws (Undo received by the origin) and its files are gone.
 */

const LIVE = { live: TEST_LIVE_CONFIG };

interface VideoView {
  id: number;
  uuid: string;
  isLive: boolean;
  state: { id: number };
  streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string; redundancies: { baseUrl: string }[] }[];
}

const json = { 'content-type': 'application/json' };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('live relay by a mirror', () => {
  let origin: TestInstance;
  let relay: TestInstance;
  let viewer: TestInstance;
  let publisher: ReturnType<typeof publishTestStream> | null = null;
  const hostOf = (t: TestInstance) => new URL(t.url).host;

  beforeAll(async () => {
    origin = await startTestInstance({ db: 'postgres', overrides: LIVE });
    [relay, viewer] = await Promise.all([
      startTestInstance({
        db: 'embedded',
        overrides: {
          redundancy: { min_lifetime_floor: '1 second', videos: { strategies: [], hosts: [{ host: hostOf(origin), size: '1GB', min_lifetime: '3 hours', live: true }] } },
          live: { relay: { discover_interval: '300 ms', unreachable_timeout: '20 seconds', max_file_size: '16MB' } },
        },
      }),
      startTestInstance({ db: 'embedded' }),
    ]);
    for (const t of [relay, viewer]) {
      expect((await t.api('/api/v1/server/following', { method: 'POST', headers: json, body: JSON.stringify({ hosts: [hostOf(origin)] }) })).status).toBe(204);
    }
    expect((await relay.api(`/api/v1/server/redundancy/${hostOf(origin)}`, { method: 'PUT', headers: json, body: JSON.stringify({ redundancyAllowed: true }) })).status).toBe(204);
    for (const t of [relay, viewer]) {
      await waitFor(`${hostOf(t)} following the origin`, async () => ((await t.json<{ data: { state: string }[] }>('/api/v1/server/following')).data[0]?.state === 'accepted' ? true : undefined), 30_000);
    }
  });
  afterAll(async () => {
    publisher?.kill();
    await Promise.all([origin, relay, viewer].filter(Boolean).map((t) => t.stop()));
  });

  it('relays a live with matching hashes, is listed by the origin, and withdraws when the live ends', async () => {
    const channelId = (await origin.json<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
    const created = await origin.api('/api/v1/videos/live', { method: 'POST', headers: json, body: JSON.stringify({ channelId, name: 'relayed live', latencyMode: 3, privacy: 1 }) });
    expect(created.status).toBe(200);
    const { video } = (await created.json()) as { video: { id: number; uuid: string } };
    const owner = await origin.json<{ rtmpUrl: string; streamKey: string }>(`/api/v1/videos/live/${video.id}`);

    publisher = publishTestStream(`${owner.rtmpUrl}/${owner.streamKey}`, 12);
    const relayBase = `${relay.url}/static/redundancy/hls/${video.uuid}`;
    const originLive = await waitFor('the live running at the origin', async () => {
      const v = await origin.json<VideoView>(`/api/v1/videos/${video.uuid}`);
      return v.state.id === 1 ? v : undefined;
    }, 30_000, 200);
    const originPlaylist = originLive.streamingPlaylists[0]!;
    const originBase = originPlaylist.playlistUrl.slice(0, originPlaylist.playlistUrl.lastIndexOf('/'));

    // the relay serves the origin's master playlist, byte for byte, revalidated
    const master = await waitFor('the relay serving the live', async () => {
      const res = await fetch(`${relayBase}/master.m3u8`);
      return res.ok ? res : undefined;
    }, 30_000, 200);
    expect(master.headers.get('cache-control')).toContain('no-cache');
    const masterText = await master.text();
    expect(masterText).toBe(await (await fetch(originPlaylist.playlistUrl)).text());

    // every segment the relay lists is served, immutable, and matches the origin's live hash list
    const variant = masterText.split('\n').find((l) => l.endsWith('.m3u8'))!;
    let checked = 0;
    const seen = new Set<string>();
    while (checked < 3) {
      const media = await (await fetch(`${relayBase}/${variant}`)).text();
      expect(media.startsWith('#EXTM3U')).toBe(true);
      expect(media).not.toContain('#EXT-X-ENDLIST');
      const originHashes = (await (await fetch(originPlaylist.segmentsSha256Url)).json()) as Record<string, string>;
      for (const segment of media.split('\n').filter((l) => l.endsWith('.mp4') && !seen.has(l))) {
        const res = await fetch(`${relayBase}/${segment}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toContain('immutable');
        const expected = originHashes[segment];
        if (expected === undefined) continue; // already out of the origin's window
        expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(expected);
        seen.add(segment);
        checked++;
      }
      if (checked < 3) await new Promise((r) => setTimeout(r, 500));
    }
    // viewers are answered from memory, at the origin and at the relay: playlists equal to their files, hot segments with Range
    await expectServedFromMemory({
      base: originBase,
      dir: origin.instance.layout.hlsDir(video.uuid),
      memory: origin.instance.live.memoryFiles,
      playlist: variant,
      hotSegments: () => origin.instance.live.runtime.hotSegments(video.id),
    });
    const relayDir = join(relay.instance.config.storage.redundancy, 'hls', video.uuid);
    await expectServedFromMemory({
      base: relayBase,
      dir: relayDir,
      memory: relay.instance.live.memoryFiles,
      playlist: variant,
      hotSegments: () => relay.instance.liveRelay.hotSegments(video.uuid),
    });

    // the init section too, as the origin serves it
    const init = (await (await fetch(`${relayBase}/${variant}`)).text()).match(/#EXT-X-MAP:URI="([^"]+)"/)![1]!;
    // (ffmpeg 5.1 names it `%v-init-<n>.mp4` literally: its URL is percent-encoded)
    const [relayInit, originInit] = await Promise.all([fetch(`${relayBase}/${encodeURIComponent(init)}`), fetch(`${originBase}/${encodeURIComponent(init)}`)]);
    expect([relayInit.status, originInit.status]).toEqual([200, 200]);
    expect(sha256(Buffer.from(await relayInit.arrayBuffer()))).toBe(sha256(Buffer.from(await originInit.arrayBuffer())));

    // the origin lists the relay as a source of its live (REST and the AP video object)
    await waitFor('the relay listed by the origin', async () => {
      const v = await origin.json<VideoView>(`/api/v1/videos/${video.uuid}`);
      return v.streamingPlaylists[0]!.redundancies.some((r) => r.baseUrl === relayBase) ? true : undefined;
    }, 20_000, 200);
    const row = await origin.instance.prisma.videoRedundancy.findFirstOrThrow({ where: { video: { uuid: video.uuid } } });
    expect(row).toMatchObject({ remoteState: 'active', fileUrl: relayBase });
    // the viewer side hears of the relay too (the origin forwards the CacheFile to the live's followers)
    await waitFor('the relay listed on the viewer side', async () => {
      const v = await viewer.json<VideoView>(`/api/v1/videos/${video.uuid}`);
      return v.isLive && v.streamingPlaylists[0]?.redundancies.some((r) => r.baseUrl === relayBase) ? true : undefined;
    }, 20_000, 200);
    // viewers: a view report at the origin, a player's playback report at the relay; bytes served of each kind, from memory
    const viewed = await origin.api(`/api/v1/videos/${video.uuid}/views`, { method: 'POST', token: null, headers: json, body: JSON.stringify({ currentTime: 1 }) });
    expect(viewed.status).toBe(204);
    const played = await relay.api('/api/v1/metrics/playback', {
      method: 'POST',
      token: null,
      headers: json,
      body: JSON.stringify({ playerMode: 'p2p-media-loader', resolution: 90, p2pEnabled: false, resolutionChanges: 0, errors: 0, downloadedBytesP2P: 0, downloadedBytesHTTP: 1000, uploadedBytesP2P: 0, videoId: video.uuid }),
    });
    expect(played.status).toBe(204);
    const originScrape = await (await origin.api('/metrics', { token: null })).text();
    expect(originScrape).toMatch(/^mirrortube_live_viewers\{kind="origin",source="views"\} 1$/m);
    expect(originScrape).toContain(`mirrortube_live_viewers_by_live{video="${video.uuid}",kind="origin",source="views"} 1`);
    expect(Number(/^mirrortube_live_sent_bytes_total\{kind="origin",from="memory"\} (\d+)/m.exec(originScrape)?.[1])).toBeGreaterThan(0);
    // the operator console's data lists the relay (with the bandwidth it takes: no budget here, so not measured)
    const consoleData = await relay.json<{ liveRelays: { relayed: { uuid: string; host: string }[]; refused: unknown[] } }>('/api/v1/server/redundancy/console');
    expect(consoleData.liveRelays).toEqual({ relayed: [expect.objectContaining({ uuid: video.uuid, host: hostOf(origin), bandwidthBytes: 0 })], refused: [] });
    // relay metrics: segments relayed, with their lag observed
    const scrape = await (await relay.api('/metrics', { token: null })).text();
    expect(scrape).toMatch(/^mirrortube_live_viewers\{kind="relay",source="playback"\} 1$/m);
    expect(scrape).toContain(`mirrortube_live_viewers_by_live{video="${video.uuid}",kind="relay",source="playback"} 1`);
    expect(Number(/^mirrortube_live_sent_bytes_total\{kind="relay",from="memory"\} (\d+)/m.exec(scrape)?.[1])).toBeGreaterThan(0);
    expect(Number(/^mirrortube_live_relay_segments_total (\d+)/m.exec(scrape)?.[1])).toBeGreaterThan(0);
    expect(Number(/^mirrortube_live_relay_lag_seconds_count (\d+)/m.exec(scrape)?.[1])).toBeGreaterThan(0);
    expect(scrape).toMatch(/^mirrortube_live_relays 1$/m);
    expect(scrape).toMatch(/^mirrortube_live_relay_hash_mismatches_total 0$/m);

    // the publisher stops: the live ends, the relay withdraws and deletes its files
    expect(await publisher.done).toBe(0);
    publisher = null;
    await waitFor('the relay withdrawn at the origin', async () => {
      const v = await origin.json<VideoView>(`/api/v1/videos/${video.uuid}`);
      return v.state.id === 5 && v.streamingPlaylists[0]!.redundancies.length === 0 ? true : undefined;
    }, 30_000, 200);
    await waitFor('the Undo processed by the origin', async () => {
      const undo = await origin.instance.prisma.inboxActivity.findFirst({ where: { type: 'Undo', actorUrl: `${relay.url}/accounts/peertube` } });
      return undo?.state === 'processed' ? true : undefined;
    }, 10_000);
    expect(await origin.instance.prisma.videoRedundancy.count({ where: { video: { uuid: video.uuid } } })).toBe(0);
    await waitFor('the relay files gone', async () => (relay.instance.liveRelay.relayed().length === 0 && !existsSync(join(relay.instance.config.storage.redundancy, 'hls', video.uuid)) ? true : undefined), 10_000);
    expect((await fetch(`${relayBase}/master.m3u8`)).status).toBe(404);
    // the viewer side drops it too (the Undo forwarded)
    await waitFor('the relay gone on the viewer side', async () => {
      const v = await viewer.json<VideoView>(`/api/v1/videos/${video.uuid}`);
      return v.streamingPlaylists[0]?.redundancies.length === 0 ? true : undefined;
    }, 20_000, 200);
  });
});
