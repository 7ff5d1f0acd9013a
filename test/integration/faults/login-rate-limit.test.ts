import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOffsetClock } from '../../../src/lib/clock.js';
import { ROOT_PASSWORD, startTestInstance, type TestInstance } from '../../support/instance.js';

// Issue 10, item 8: 100 wrong passwords for root in a burst used to get 100 answers and no pause.
describe('login brute force (rates_limit.login, PeerTube defaults: 15 per 5 minutes)', () => {
  const clock = createOffsetClock();
  let t: TestInstance;
  let client: { client_id: string; client_secret: string };

  beforeAll(async () => {
    t = await startTestInstance({
      db: 'embedded',
      clock,
      overrides: { rates_limit: { login: { window: '5 minutes', max: 15 } }, trust_proxy: [] },
    });
    client = await t.json('/api/v1/oauth-clients/local', { token: null });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const login = (password: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}/api/v1/users/token`, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password }),
    });

  it('answers 429 with Retry-After after the limit, even to the right password, until the window ends', async () => {
    // startTestInstance logged in once already (one of the 15)
    const statuses: number[] = [];
    let lastRetryAfter = 0;
    for (let i = 0; i < 100; i++) {
      const res = await login(`wrong-${i}`);
      statuses.push(res.status);
      if (res.status === 429) {
        lastRetryAfter = Number(res.headers.get('retry-after'));
        expect(await res.text()).toBe('Too many requests, please try again later.');
      } else await res.body?.cancel();
    }
    expect(statuses.slice(0, 14)).toEqual(Array(14).fill(400));
    expect(statuses.slice(14)).toEqual(Array(86).fill(429));
    expect(lastRetryAfter).toBeGreaterThan(0);
    expect(lastRetryAfter).toBeLessThanOrEqual(300);

    const right = await login(ROOT_PASSWORD);
    expect(right.status).toBe(429);
    // without trust_proxy, a forged X-Forwarded-For does not make a new client
    expect((await login(ROOT_PASSWORD, { 'x-forwarded-for': '198.51.100.23' })).status).toBe(429);
    // other routes have their own budget
    expect((await t.api('/api/v1/config', { token: null })).status).toBe(200);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);

    clock.advance(5 * 60_000 + 1000);
    const after = await login(ROOT_PASSWORD);
    expect(after.status).toBe(200);
    expect(((await after.json()) as { access_token: string }).access_token).toBeTruthy();
  });
});
