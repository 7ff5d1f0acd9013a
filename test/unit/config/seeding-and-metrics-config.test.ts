import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { seederConfigFrom } from '../../../src/p2p/index.js';

const withData = (data: Record<string, unknown>) => loadConfig({ cwd: '/srv/mt', extra: [{ name: 'x.yaml', data }] });

describe('seeding.* and metrics.* configuration', () => {
  it('documented defaults: seeding on (TCP, uTP, WebRTC without third-party STUN), metrics on the main listener without a token', () => {
    const r = loadConfig({ cwd: '/srv/mt' });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.seeding).toEqual({
      enabled: true,
      port: 0,
      utp: true,
      webrtc: true,
      ice_servers: [],
      max_connections: 1000,
      max_connections_per_torrent: 55,
      upload_limit: -1,
    });
    expect(r.config.metrics).toEqual({ enabled: true, listen: null, bearer_token: null, transfers_flush_interval: 30_000 });
    expect(seederConfigFrom(r.config.seeding)).toEqual({ port: 0, utp: true, webrtc: true, iceServers: [], maxConns: 1000, maxConnsPerTorrent: 55, uploadLimit: -1 });
  });

  it('sizes and durations in words; a separate metrics listener', () => {
    const r = withData({
      seeding: { upload_limit: '10MB', ice_servers: ['stun:stun.example.org:3478'] },
      metrics: { listen: { hostname: '127.0.0.1', port: 9091 }, bearer_token: 'sixteen-chars-ok', transfers_flush_interval: '1 minute' },
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.seeding.upload_limit).toBe(10 * 1024 ** 2);
    expect(r.config.metrics.listen).toEqual({ hostname: '127.0.0.1', port: 9091 });
    expect(r.config.metrics.transfers_flush_interval).toBe(60_000);
  });

  it.each([
    [{ seeding: { upload_limit: 0 } }, 'seeding.upload_limit'],
    [{ seeding: { ice_servers: ['http://stun.example.org'] } }, 'seeding.ice_servers.0'],
    [{ seeding: { max_connections: 0 } }, 'seeding.max_connections'],
    [{ seeding: { unknown: true } }, 'seeding.unknown'],
    [{ metrics: { bearer_token: 'short' } }, 'metrics.bearer_token'],
    [{ metrics: { listen: { port: 9091 } } }, 'metrics.listen.hostname'],
  ])('refuses %j naming %s', (data, key) => {
    const r = withData(data);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toContain(`"${key}"`);
  });
});
