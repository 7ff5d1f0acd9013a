import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import { clientIp, createTrustedProxies } from '../../../src/http/rate-limit/client-ip.js';
import { createRateWindowTable } from '../../../src/http/rate-limit/rate-window-table.js';
import { bucketOf, rateLimitMiddleware } from '../../../src/http/rate-limit/rate-limit-middleware.js';
import { loadConfig } from '../../../src/config/index.js';

describe('clientIp (express trust proxy rules)', () => {
  const loopback = createTrustedProxies(['loopback']);
  const none = createTrustedProxies([]);
  it.each([
    ['ignores X-Forwarded-For from an untrusted connection', '203.0.113.9', '10.0.0.1', loopback, '203.0.113.9'],
    ['ignores X-Forwarded-For when nothing is trusted', '127.0.0.1', '10.0.0.1', none, '127.0.0.1'],
    ['believes the trusted proxy', '127.0.0.1', '198.51.100.7', loopback, '198.51.100.7'],
    ['believes an IPv4-mapped trusted proxy', '::ffff:127.0.0.1', '198.51.100.7', loopback, '198.51.100.7'],
    ['takes the rightmost untrusted hop, not a spoofed leftmost one', '127.0.0.1', '1.1.1.1, 198.51.100.7', loopback, '198.51.100.7'],
    ['walks through several trusted hops', '127.0.0.1', '198.51.100.7, 127.0.0.2', loopback, '198.51.100.7'],
    ['stops at an entry that is not an address', '127.0.0.1', 'nonsense', loopback, '127.0.0.1'],
    ['without a header, the connection', '127.0.0.1', undefined, loopback, '127.0.0.1'],
  ])('%s', (_name, remote, xff, trusted, expected) => {
    expect(clientIp(remote, xff, trusted)).toBe(expected);
  });

  it('trusts subnets, addresses and named ranges', () => {
    const t = createTrustedProxies(['10.0.0.0/8', '2001:db8::1', 'uniquelocal']);
    expect(t.trusts('10.9.9.9')).toBe(true);
    expect(t.trusts('2001:db8::1')).toBe(true);
    expect(t.trusts('192.168.1.1')).toBe(true);
    expect(t.trusts('8.8.8.8')).toBe(false);
    expect(t.trusts('not-an-ip')).toBe(false);
  });
});

describe('rate window table', () => {
  it('allows max hits per window, then refuses until the window ends', () => {
    const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
    const table = createRateWindowTable({ windowMs: 10_000, max: 3, clock });
    expect([1, 2, 3, 4].map(() => table.hit('a').allowed)).toEqual([true, true, true, false]);
    expect(table.hit('b').allowed).toBe(true);
    clock.advance(9_999);
    expect(table.hit('a').allowed).toBe(false);
    clock.advance(1);
    expect(table.hit('a')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('never holds more than maxKeys entries, dropping expired ones first', () => {
    const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
    const table = createRateWindowTable({ windowMs: 1000, max: 1, clock, maxKeys: 100 });
    for (let i = 0; i < 100_000; i++) table.hit(`ip-${i}`);
    expect(table.size).toBe(100);
    // the newest keys are still counted
    expect(table.hit('ip-99999').allowed).toBe(false);
    clock.advance(1000);
    table.hit('fresh');
    expect(table.size).toBeLessThanOrEqual(100);
  });
});

describe('bucketOf', () => {
  it.each([
    ['POST', '/api/v1/users/token', 'login'],
    ['GET', '/api/v1/videos', 'api'],
    ['POST', '/inbox', 'activity_pub'],
    ['GET', '/accounts/root', 'activity_pub'],
    ['GET', '/.well-known/webfinger', 'well_known'],
    ['GET', '/nodeinfo/2.0.json', 'well_known'],
    ['GET', '/static/streaming-playlists/hls/x/master.m3u8', null],
    ['GET', '/healthz', null],
  ])('%s %s → %s', (method, path, bucket) => {
    expect(bucketOf(method, path)).toBe(bucket);
  });
});

describe('config', () => {
  it('has PeerTube defaults and refuses a bad trust_proxy entry, naming the key', () => {
    const ok = loadConfig({ cwd: '/srv/mt' });
    expect(ok.ok && ok.config.rates_limit.login).toEqual({ window: 300_000, max: 15 });
    expect(ok.ok && ok.config.trust_proxy).toEqual(['loopback']);
    const bad = loadConfig({ cwd: '/srv/mt', extra: [{ name: 'x.yaml', data: { trust_proxy: ['10.0.0.0/99'] } }] });
    expect(bad).toMatchObject({ ok: false, errors: [expect.stringContaining('trust_proxy.0')] });
  });
});

describe('rate limit middleware over HTTP', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(trustProxy: string[], staffToken = 'staff') {
    const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
    const app = new Koa();
    const rate = { window: 10_000, max: 2 };
    app.use(rateLimitMiddleware({ settings: { rates: { api: rate, login: rate, activity_pub: rate, well_known: rate }, trustProxy }, clock, isStaff: async (h) => h === `Bearer ${staffToken}` }));
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = (headers: Record<string, string> = {}) => fetch(`${base}/api/v1/videos`, { headers });
    return { clock, get };
  }

  it('honours X-Forwarded-For behind a trusted proxy: each client has its own budget', async () => {
    const { get } = await serve(['loopback']);
    const a = { 'x-forwarded-for': '198.51.100.1' };
    expect([(await get(a)).status, (await get(a)).status, (await get(a)).status]).toEqual([200, 200, 429]);
    expect((await get({ 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
  });

  it('ignores X-Forwarded-For without trust_proxy: a client cannot escape its budget by forging it', async () => {
    const { get } = await serve([]);
    expect([(await get()).status, (await get()).status].every((s) => s === 200)).toBe(true);
    const refused = await get({ 'x-forwarded-for': '198.51.100.2' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBe(10);
  });

  it('lets administrators and moderators through, and everyone after the window', async () => {
    const { get, clock } = await serve([]);
    await get();
    await get();
    expect((await get({ authorization: 'Bearer nobody' })).status).toBe(429);
    expect((await get({ authorization: 'Bearer staff' })).status).toBe(200);
    clock.advance(10_000);
    expect((await get()).status).toBe(200);
  });
});
