import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchResult } from '../../../src/federation/remote/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createInstanceUrls } from '../../../src/lib/instance-urls.js';
import { createLogger } from '../../../src/lib/logger.js';
import { Registry } from 'prom-client';
import { createLiveRelay, type LiveRelayObserver, type RelayableLive } from '../../../src/live/relay/live-relay.js';
import { defineLiveRelayMetrics } from '../../../src/metrics/index.js';
import type { AnnouncedRelay } from '../../../src/live/relay/relay-journal.js';
import { validatePolicy } from '../../../src/redundancy/planner/index.js';

const UUID = '0b9e3d7a-1111-4222-8333-944455556666';
const BASE = `https://tube.example/static/streaming-playlists/hls/${UUID}/`;
const LIVE: RelayableLive = {
  videoId: 7, uuid: UUID, url: `https://tube.example/videos/watch/${UUID}`, host: 'tube.example', playlistUrl: `${BASE}master.m3u8`, segmentsSha256Url: `${BASE}segments-sha256.json`,
  accountUrl: 'https://tube.example/accounts/alice', originInbox: 'https://tube.example/inbox', channelUrl: 'https://tube.example/video-channels/news', channelName: 'news', accountName: 'alice',
  tags: [], language: null, licence: null, category: null, otherRelays: [],
};
const policyOf = (rule: Record<string, unknown> = {}) => {
  const v = validatePolicy({ hosts: [{ host: 'tube.example', size: '1GB', min_lifetime: '2 days', mirror_all: true, live: true, ...rule }] });
  if (!v.ok) throw new Error(v.errors.join('; '));
  return v.policy;
};
const policy = policyOf();

describe('the live relay manager', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function setup(journalAtStart: AnnouncedRelay[], options: { policy?: typeof policy; bandwidth?: number; originDown?: () => boolean; observe?: LiveRelayObserver } = {}) {
    const root = await mkdtemp(join(tmpdir(), 'relay-manager-'));
    dirs.push(root);
    const files = new Map<string, string>([
      ['master.m3u8', `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=${options.bandwidth ?? 1},RESOLUTION=160x90\n0.m3u8\n`],
      ['0.m3u8', '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MAP:URI="0-init-1.mp4"\n#EXTINF:1.0,\n0-1.mp4\n'],
      ['0-init-1.mp4', 'init'],
      ['0-1.mp4', 'one'],
      ['segments-sha256.json', JSON.stringify({ '0-1.mp4': createHash('sha256').update('one').digest('hex') })],
    ]);
    const sent: { activity: Record<string, unknown>; inboxes: string[] }[] = [];
    let journal = journalAtStart;
    const lives: RelayableLive[] = [];
    const protectedFolders = new Set<string>();
    const requested: string[] = [];
    const relay = createLiveRelay({
      store: { ourActor: async () => ({ id: 1, url: 'https://mirror.example/accounts/peertube' }), runningRemoteLives: async () => lives },
      fetcher: {
        async fetch(url: string): Promise<FetchResult> {
          requested.push(url);
          if (options.originDown?.() && url.startsWith(BASE)) return { ok: false, reason: { type: 'network', message: 'refused' } as never };
          const body = files.get(decodeURIComponent(url.slice(url.lastIndexOf('/') + 1)));
          return { ok: true, status: body === undefined ? 404 : 200, headers: {}, body: Buffer.from(body ?? ''), url };
        },
      },
      sender: { send: async (activity, options) => void sent.push({ activity, inboxes: options.inboxes }) },
      clock: createManualClock(new Date('2026-01-01T00:00:00Z')),
      logger: createLogger({ level: 'silent' }),
      urls: createInstanceUrls({ https: true, hostname: 'mirror.example', port: 443 }),
      policy: () => options.policy ?? policy,
      redundancyDir: root,
      protectedFolders,
      discoverMs: 60_000,
      unreachableMs: 10_000,
      maxFileBytes: 1024 * 1024,
      journal: { load: async () => journal, save: async (r) => void (journal = r) },
      ...(options.observe ? { observe: options.observe } : {}),
    });
    return { root, relay, sent, lives, protectedFolders, requested, journal: () => journal };
  }

  const until = async (what: string, check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  };

  it('relays a running live: announced once it serves, withdrawn (Undo, files deleted) when the origin stops listing it', async () => {
    const { root, relay, sent, lives, protectedFolders, journal } = await setup([]);
    await relay.start();
    expect(sent).toEqual([]);
    lives.push(LIVE);
    await relay.tick();
    expect(protectedFolders.has(UUID)).toBe(true);
    await until('the Create', () => sent.length === 1);
    const create = sent[0]!.activity as { type: string; id: string; object: Record<string, unknown> };
    expect(sent[0]!.inboxes).toEqual([LIVE.originInbox]);
    expect(create).toMatchObject({ type: 'Create', object: { type: 'CacheFile', object: LIVE.url, isLiveRelay: true, url: { href: `https://mirror.example/static/redundancy/hls/${UUID}` } } });
    expect(existsSync(join(root, 'hls', UUID, '0-1.mp4'))).toBe(true);
    await until('the journal', () => journal().length === 1);

    lives.length = 0;
    await relay.tick();
    await until('the Undo', () => sent.length === 2);
    expect(sent[1]!.activity).toMatchObject({ type: 'Undo', id: `${create.id}/undo`, object: { id: create.id, type: 'Create' } });
    await until('the files gone', () => !existsSync(join(root, 'hls', UUID)) && relay.relayed().length === 0);
    expect(protectedFolders.size).toBe(0);
    expect(journal()).toEqual([]);
    await relay.stop();
  });

  it('pulls from another relay the origin listed (never from itself) while the origin is unreachable, counted by source', async () => {
    const registry = new Registry();
    let down = false;
    const { relay, lives, requested } = await setup([], { originDown: () => down, observe: defineLiveRelayMetrics(registry) });
    const other = `https://relay-b.example/static/redundancy/hls/${UUID}`;
    const own = `https://mirror.example/static/redundancy/hls/${UUID}`;
    await relay.start();
    lives.push({ ...LIVE, otherRelays: [own, other] });
    await relay.tick();
    await until('relayed from the origin', () => requested.some((u) => u === `${BASE}0-1.mp4`));
    const gauge = async () => (await registry.getSingleMetricAsString('mirrortube_live_relay_sources')).split('\n').filter((l) => !l.startsWith('#')).sort();
    expect(await gauge()).toEqual(['mirrortube_live_relay_sources{source="origin"} 1', 'mirrortube_live_relay_sources{source="relay"} 0']);
    down = true;
    await until('the master read from relay B', () => requested.includes(`${other}/master.m3u8`));
    expect(relay.budgets().relayed).toEqual([expect.objectContaining({ uuid: UUID, source: 'relay' })]);
    expect(await gauge()).toEqual(['mirrortube_live_relay_sources{source="origin"} 0', 'mirrortube_live_relay_sources{source="relay"} 1']);
    expect(requested.filter((u) => u.startsWith(own))).toEqual([]);
    await relay.stop();
    expect(await gauge()).toEqual(['mirrortube_live_relay_sources{source="origin"} 0', 'mirrortube_live_relay_sources{source="relay"} 0']);
  });

  it('withdraws at start what a crashed run left announced', async () => {
    const create = { id: 'https://mirror.example/redundancy/streaming-playlists/hls/x/activity/live-1', type: 'Create', to: [LIVE.accountUrl], cc: [] };
    const { root, relay, sent, journal } = await setup([{ uuid: UUID, originInbox: LIVE.originInbox, create }]);
    await mkdir(join(root, 'hls', UUID), { recursive: true });
    await writeFile(join(root, 'hls', UUID, '0-1.mp4'), 'left');
    await relay.start();
    expect(sent).toEqual([{ activity: expect.objectContaining({ type: 'Undo', id: `${create.id}/undo`, object: create }), inboxes: [LIVE.originInbox] }]);
    expect(existsSync(join(root, 'hls', UUID))).toBe(false);
    expect(journal()).toEqual([]);
    await relay.stop();
  });

  it('starts no relay beyond its rule\'s live bandwidth budget: the reason is kept for the console until the live fits', async () => {
    // each live advertises 320 kbit/s (40 kB/s); the rule allows 60 kB/s of live relays
    const { relay, lives } = await setup([], { policy: policyOf({ live_bandwidth: 60_000 }), bandwidth: 320_000 });
    await relay.start();
    const second: RelayableLive = { ...LIVE, videoId: 8, uuid: '0b9e3d7a-2222-4222-8333-944455556666', url: 'https://tube.example/videos/watch/two' };
    lives.push(LIVE, second);
    await relay.tick();
    expect(relay.relayed()).toEqual([UUID]);
    const budgets = relay.budgets();
    expect(budgets.relayed).toEqual([expect.objectContaining({ uuid: UUID, host: 'tube.example', bandwidthBytes: 40_000 })]);
    expect(budgets.refused).toEqual([
      expect.objectContaining({ uuid: second.uuid, host: 'tube.example', reason: 'it needs 40 kB/s and the rule of tube.example allows 60 kB/s of live relays (40 kB/s relayed now)' }),
    ]);
    // the first live ends: the second fits now
    lives.splice(0, 1);
    await relay.tick();
    await until('the first relay gone', () => !relay.relayed().includes(UUID));
    await relay.tick();
    expect(relay.relayed()).toEqual([second.uuid]);
    expect(relay.budgets().refused).toEqual([]);
    await relay.stop();
  });

  it('refuses a live_bandwidth without live: true, and writes it back as given', () => {
    const refused = validatePolicy({ hosts: [{ host: 'tube.example', size: '1GB', min_lifetime: '2 days', mirror_all: true, live_bandwidth: '5MB' }] });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.join('\n')).toContain('live_bandwidth');
    expect(policyOf({ live_bandwidth: '5MB' }).hosts[0]!.liveBandwidthBytes).toBe(5 * 1024 * 1024);
  });
});
