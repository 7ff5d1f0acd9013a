import { describe, expect, it } from 'vitest';
import { parseCacheFile, buildHlsCacheFile, publicAudience } from '../../../src/federation/vocab/index.js';
import { serializePolicy, validatePolicy } from '../../../src/redundancy/planner/index.js';
import { relaysLive, relaysLivesOf, type RelayableLive } from '../../../src/live/relay/live-relay.js';
import { filesToPrune, isSafeRelayName, parseRelayPlaylist, relayNameToUrl, relayPollMs } from '../../../src/live/relay/relay-playlists.js';

const MEDIA = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:12', '#EXT-X-MAP:URI="%v-init-1700000000.mp4"', '#EXTINF:1.000000,', '0-1700000012.mp4', '#EXTINF:1.000000,', '0-1700000013.mp4', ''].join('\n');

describe('relay playlists', () => {
  it('reads the files a live media playlist refers to, its target duration and its end', () => {
    const parsed = parseRelayPlaylist(MEDIA);
    expect(parsed).toEqual({ ok: true, value: { uris: ['0-1700000012.mp4', '0-1700000013.mp4'], maps: ['%v-init-1700000000.mp4'], ended: false, targetDuration: 1, mediaSequence: 12, segmentEnds: {} } });
    const ended = parseRelayPlaylist(`${MEDIA}#EXT-X-ENDLIST\n`);
    expect(ended.ok && ended.value.ended).toBe(true);
    const master = parseRelayPlaylist('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=160x90\n0.m3u8\n');
    expect(master).toEqual({ ok: true, value: { uris: ['0.m3u8'], maps: [], ended: false, targetDuration: null, mediaSequence: null, segmentEnds: {} } });
  });

  it('refuses what it cannot serve byte for byte: absolute, rooted or parent URIs, and non-playlists', () => {
    for (const uri of ['https://evil.example/0-1.mp4', '/static/0-1.mp4', '../other/0-1.mp4', 'a/b.mp4', '0-1.mp4?x=1']) {
      expect(parseRelayPlaylist(`#EXTM3U\n#EXTINF:1,\n${uri}\n`)).toMatchObject({ ok: false, reason: { type: 'absolute-uri' } });
    }
    expect(parseRelayPlaylist('#EXTM3U\n#EXT-X-MAP:URI="http://x.example/init.mp4"\n')).toMatchObject({ ok: false, reason: { type: 'absolute-uri' } });
    expect(parseRelayPlaylist('<html>')).toEqual({ ok: false, reason: { type: 'not-a-playlist' } });
    expect(isSafeRelayName('..')).toBe(false);
    expect(isSafeRelayName('.hidden')).toBe(false);
    expect(relayNameToUrl('%v-init-1.mp4')).toBe('%25v-init-1.mp4');
  });

  it('dates each segment end from #EXT-X-PROGRAM-DATE-TIME and #EXTINF (the lag metric)', () => {
    const text = ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z', '#EXTINF:1.000,', '0-1.mp4', '#EXTINF:0.960,', '0-2.mp4', '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:05.000Z', '#EXTINF:1.000,', '0-3.mp4', ''].join('\n');
    const parsed = parseRelayPlaylist(text);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    expect(parsed.ok && parsed.value.segmentEnds).toEqual({ '0-1.mp4': t0 + 1000, '0-2.mp4': t0 + 1960, '0-3.mp4': t0 + 6000 });
  });

  it('polls at about half a segment, bounded', () => {
    expect(relayPollMs(1)).toBe(500);
    expect(relayPollMs(4)).toBe(2000);
    expect(relayPollMs(60)).toBe(3000);
    expect(relayPollMs(0.1)).toBe(250);
    expect(relayPollMs(null)).toBe(1000);
  });

  it('keeps the window: files listed now or in the previous round stay', () => {
    expect(filesToPrune(['a', 'b', 'c', 'd'], new Set(['c', 'd']), new Set(['b', 'c']))).toEqual(['a']);
  });
});

describe('the live switch of a host rule', () => {
  const rule = { host: 'Tube.Example', size: '1GB', min_lifetime: '2 days', mirror_all: true };
  it('is off unless set, survives a round trip, and refuses a non-boolean', () => {
    const off = validatePolicy({ hosts: [rule] });
    expect(off.ok && off.policy.hosts[0]!.live).toBeUndefined();
    expect(off.ok && relaysLivesOf(off.policy, 'tube.example')).toBe(false);
    const on = validatePolicy({ hosts: [{ ...rule, live: true }] });
    expect(on.ok && relaysLivesOf(on.policy, 'tube.example')).toBe(true);
    expect(on.ok && relaysLivesOf(on.policy, 'other.example')).toBe(false);
    if (!on.ok || !off.ok) throw new Error('valid policies refused');
    // the stored/GET shape: `live` only when on, so policies written before the switch read the same
    expect((serializePolicy(on.policy).hosts as Record<string, unknown>[])[0]!.live).toBe(true);
    expect((serializePolicy(off.policy).hosts as Record<string, unknown>[])[0]).not.toHaveProperty('live');
    expect(validatePolicy(serializePolicy(on.policy))).toEqual(on);
    // lives only: no mirror_all, no strategies (no VOD copy is planned: the rule ranks nothing)
    const livesOnly = validatePolicy({ hosts: [{ host: 'tube.example', size: '1GB', min_lifetime: '2 days', live: true }] });
    expect(livesOnly.ok && livesOnly.policy.hosts[0]).toMatchObject({ mirrorAll: false, strategies: [], live: true });
    if (livesOnly.ok) expect(validatePolicy(serializePolicy(livesOnly.policy))).toEqual(livesOnly);
    expect(validatePolicy({ hosts: [{ host: 'tube.example', size: '1GB', min_lifetime: '2 days', live: false }] })).toEqual({ ok: false, errors: [expect.stringContaining('give either mirror_all: true or a non-empty strategies list')] });
    const bad = validatePolicy({ hosts: [{ ...rule, live: 'yes' }] });
    expect(bad).toEqual({ ok: false, errors: [expect.stringContaining('live must be true or false')] });
  });
});

describe('which lives a rule relays', () => {
  const live: RelayableLive = {
    videoId: 1, uuid: 'u', url: 'https://tube.example/videos/watch/u', host: 'tube.example', playlistUrl: 'https://tube.example/m.m3u8', segmentsSha256Url: 'https://tube.example/s.json',
    accountUrl: 'https://tube.example/accounts/alice', originInbox: 'https://tube.example/inbox', channelUrl: 'https://tube.example/video-channels/news', channelName: 'news', accountName: 'alice',
    tags: ['Science'], language: 'en', licence: 1, category: 3, otherRelays: [],
  };
  const policyWith = (extra: Record<string, unknown>) => {
    const v = validatePolicy({ hosts: [{ host: 'tube.example', size: '1GB', min_lifetime: '2 days', mirror_all: true, live: true, ...extra }] });
    if (!v.ok) throw new Error(v.errors.join('; '));
    return v.policy;
  };
  it('applies the rule include/exclude filters, not its size and duration bounds', () => {
    expect(relaysLive(policyWith({}), live)).toBe(true);
    expect(relaysLive(policyWith({ include: { channels: ['news'], max_duration: '10' } }), live)).toBe(true);
    expect(relaysLive(policyWith({ include: { channels: ['films'] } }), live)).toBe(false);
    expect(relaysLive(policyWith({ exclude: { tags: ['science'] } }), live)).toBe(false);
    expect(relaysLive(policyWith({ include: { languages: ['fr'] } }), live)).toBe(false);
    expect(relaysLive(policyWith({ live: false }), live)).toBe(false);
    expect(relaysLive(policyWith({}), { ...live, host: 'other.example' })).toBe(false);
  });
});

describe('the live relay CacheFile', () => {
  it('carries isLiveRelay, which the parser reads (and a plain copy does not)', () => {
    const audience = publicAudience([]);
    const base = { id: 'https://m.example/redundancy/streaming-playlists/hls/u', videoUrl: 'https://o.example/videos/watch/u', expires: null, baseUrl: 'https://m.example/static/redundancy/hls/u', audience };
    const relay = buildHlsCacheFile({ ...base, liveRelay: true });
    expect(relay).toMatchObject({ isLiveRelay: true });
    expect(parseCacheFile(relay)).toMatchObject({ ok: true, value: { kind: 'hls', liveRelay: true } });
    const copy = buildHlsCacheFile(base);
    expect(copy).not.toHaveProperty('isLiveRelay');
    const plain = parseCacheFile(copy);
    expect(plain.ok && plain.value).not.toHaveProperty('liveRelay');
  });
});
