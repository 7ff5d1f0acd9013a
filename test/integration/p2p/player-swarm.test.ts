import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { SegmentManager } from '@peertube/p2p-media-loader-hlsjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { generatedClip } from '../../support/media.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { waitFor } from '../../support/ports.js';

/**
 * Our player runs PeerTube's p2p-media-loader fork (v1) with PeerTube's swarm id (the master
 * playlist's URL). Here the fork's own code (the player's SegmentManager and HybridLoader, in Node)
 * announces a video's swarms to our tracker through a recording relay: the infohashes it sends must
 * be the ones PeerTube 6.3's player announces for the same playlist URL, computed independently
 * from PeerTube's scheme (`sha1("2" + <master playlist URL> + "+V" + <variant index>)`, protocol
 * version 2, one swarm per variant in the master playlist's order), and our private tracker must
 * admit them with no registration by the pages.
 */
const peerTubeInfohash = (playlistUrl: string, variant: number) => createHash('sha1').update(`2${playlistUrl}+V${variant}`).digest('hex');

const percent = (hex: string) => [...Buffer.from(hex, 'hex')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

interface Announce {
  infoHash: string;
  failure?: string;
}

describe("the player's swarms are PeerTube's", () => {
  let t: TestInstance;
  let relay: WebSocketServer;
  const announces: Announce[] = [];
  const replies: Announce[] = [];

  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded' });
    // a relay between the library and the tracker that records what goes through it
    relay = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    relay.on('connection', (client: WebSocket) => {
      const upstream = new WebSocket(`${t.url.replace(/^http/, 'ws')}/tracker/socket`);
      const pending: string[] = [];
      upstream.on('open', () => pending.splice(0).forEach((m) => upstream.send(m)));
      upstream.on('message', (data: Buffer) => {
        const m = JSON.parse(String(data)) as { info_hash?: string; 'failure reason'?: string };
        if (m.info_hash) replies.push({ infoHash: Buffer.from(m.info_hash, 'latin1').toString('hex'), ...(m['failure reason'] ? { failure: m['failure reason'] } : {}) });
        client.send(String(data));
      });
      client.on('message', (data: Buffer) => {
        const m = JSON.parse(String(data)) as { action?: string; info_hash?: string };
        if (m.action === 'announce' && m.info_hash) announces.push({ infoHash: Buffer.from(m.info_hash, 'latin1').toString('hex') });
        if (upstream.readyState === WebSocket.OPEN) upstream.send(String(data));
        else pending.push(String(data));
      });
      client.on('close', () => upstream.close());
    });
    await new Promise((resolve) => relay.once('listening', resolve));
  }, 60_000);
  afterAll(async () => {
    await new Promise<void>((resolve) => (relay ? relay.close(resolve) : resolve()));
    await t?.stop();
  });

  it('announces the infohashes PeerTube 6.3 announces for the same master playlist, and our tracker admits them', async () => {
    const res = await t.uploadMultipart(await generatedClip({ seconds: 4 }), { name: 'shared swarm', channelId: '1', privacy: '1' });
    expect(res.status).toBe(200);
    const uuid = ((await res.json()) as { video: { uuid: string } }).video.uuid;
    await t.waitForPublished(uuid);
    const video = await t.json<{ streamingPlaylists: { playlistUrl: string }[]; trackerUrls: string[] }>(`/api/v1/videos/${uuid}`);
    const { playlistUrl } = video.streamingPlaylists[0]!;
    expect(video.trackerUrls).toContain(`${t.url.replace(/^http/, 'ws')}/tracker/socket`);
    const master = await (await fetch(playlistUrl)).text();
    const variants = master.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(variants.length).toBeGreaterThan(0);
    const expected = variants.map((_, i) => peerTubeInfohash(playlistUrl, i));

    // the fork's browser build, in Node: WebSocket from `ws`. No WebRTC: the tracker client only
    // checks that RTCPeerConnection exists before it uses a WebSocket tracker, and with no peers
    // asked for (numwant 0) it creates no connection (no offer in the announces)
    const g = globalThis as Record<string, unknown>;
    g.self ??= globalThis;
    g.WebSocket ??= WebSocket;
    g.RTCPeerConnection ??= class NoWebRTC {};
    const { Engine } = await import('@peertube/p2p-media-loader-hlsjs');
    const relayUrl = `ws://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    // our player's settings that name the swarms (src/web/player/main.ts, p2p-engine.ts): swarm id = the playlist URL
    const engine = new Engine({
      loader: { trackerAnnounce: [relayUrl], peerRequestsPerAnnounce: 0, requiredSegmentsPriority: -1, httpDownloadProbabilitySkipIfNoPeers: true },
      segments: { swarmId: playlistUrl, forwardSegmentCount: 50 },
    });
    const manager = (engine as unknown as { segmentManager: SegmentManager }).segmentManager;
    try {
      manager.processPlaylist(playlistUrl, master, playlistUrl);
      for (const name of variants) {
        const url = new URL(name, playlistUrl).toString();
        const media = await (await fetch(url)).text();
        manager.processPlaylist(url, media, url);
        // the first segment of the variant, as hls.js asks for it (a byte range of the fragmented MP4)
        const lines = media.split('\n');
        const at = lines.findIndex((l) => l.startsWith('#EXT-X-BYTERANGE:'));
        const [length, offset] = lines[at]!.slice('#EXT-X-BYTERANGE:'.length).split('@').map(Number) as [number, number];
        const segmentUrl = new URL(lines[at + 1]!.trim(), url).toString();
        // pending until the engine is destroyed (no HTTP download in Node: requiredSegmentsPriority -1)
        void manager.loadSegment(segmentUrl, { offset, length }).catch(() => undefined);
        await waitFor(`the announce of variant ${name}`, async () => (announces.length > variants.indexOf(name) ? true : undefined), 20_000, 50);
      }
      await waitFor('the tracker to answer every announce', async () => (new Set(replies.map((r) => r.infoHash)).size >= expected.length ? true : undefined), 20_000, 50);
    } finally {
      await engine.destroy();
    }
    const announced = [...new Set(announces.map((a) => a.infoHash))];
    expect(announced).toEqual(expected);
    for (const h of expected) expect(replies.filter((r) => r.infoHash === h && r.failure)).toEqual([]);
    expect(replies.filter((r) => expected.includes(r.infoHash)).length).toBeGreaterThanOrEqual(expected.length);
    // the tracker is private: a swarm of no video of ours is refused
    const other = peerTubeInfohash(playlistUrl, variants.length);
    const refused = await fetch(`${t.url}/tracker/announce?info_hash=${percent(other)}&peer_id=${percent(randomBytes(20).toString('hex'))}&port=51413&uploaded=0&downloaded=0&left=0&compact=1`);
    expect(Buffer.from(await refused.arrayBuffer()).toString('latin1')).toContain(`Unknown infoHash ${other}`);
  });
});
