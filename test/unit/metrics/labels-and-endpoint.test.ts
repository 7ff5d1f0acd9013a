import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { bearerMatches, createHostLabels, createMetricsEndpoint, OTHER_HOST_LABEL } from '../../../src/metrics/index.js';

describe('createHostLabels: a bounded origin_host label', () => {
  it('keeps our host and the first hosts, then says "other"', () => {
    const labels = createHostLabels('us.example', 3);
    expect(labels.of('us.example')).toBe('us.example');
    expect(labels.of('a.example')).toBe('a.example');
    expect(labels.of('b.example')).toBe('b.example');
    expect(labels.of('c.example')).toBe(OTHER_HOST_LABEL);
    expect(labels.of('a.example')).toBe('a.example');
    expect(labels.of('us.example')).toBe('us.example');
    expect(labels.known()).toEqual(['us.example', 'a.example', 'b.example']);
  });
});

describe('metrics endpoint', () => {
  const registry = new Registry();
  new Counter({ name: 'mirrortube_test_total', help: 'test', registers: [registry] }).inc(3);

  it('bearerMatches: exact token, Bearer scheme', () => {
    expect(bearerMatches('Bearer s3cret-token-value', 's3cret-token-value')).toBe(true);
    expect(bearerMatches('bearer s3cret-token-value', 's3cret-token-value')).toBe(true);
    expect(bearerMatches('Bearer s3cret-token-valu', 's3cret-token-value')).toBe(false);
    expect(bearerMatches('Basic s3cret-token-value', 's3cret-token-value')).toBe(false);
    expect(bearerMatches(undefined, 's3cret-token-value')).toBe(false);
    expect(bearerMatches('Bearer ', 's3cret-token-value')).toBe(false);
  });

  it('open, behind a token, or disabled', async () => {
    const open = await createMetricsEndpoint(registry, { enabled: true, bearerToken: null }).scrape(undefined);
    expect(open.status).toBe(200);
    expect(open.body).toContain('mirrortube_test_total 3');
    const guarded = createMetricsEndpoint(registry, { enabled: true, bearerToken: 's3cret-token-value' });
    expect(await guarded.scrape(undefined)).toMatchObject({ status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } });
    expect((await guarded.scrape('Bearer s3cret-token-value')).status).toBe(200);
    expect((await createMetricsEndpoint(registry, { enabled: false, bearerToken: null }).scrape(undefined)).status).toBe(404);
  });
});
