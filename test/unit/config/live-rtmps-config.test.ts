import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';

const withData = (data: Record<string, unknown>) => loadConfig({ cwd: '/srv/mt', extra: [{ name: 'x.yaml', data }] });

describe('live.rtmps.* (PeerTube keys)', () => {
  it("PeerTube's defaults: off, port 1936, no key or certificate", () => {
    const r = loadConfig({ cwd: '/srv/mt' });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.live.rtmps).toEqual({ enabled: false, hostname: null, port: 1936, key_file: '', cert_file: '', public_hostname: null });
  });

  it('on with a key and a certificate', () => {
    const r = withData({ live: { rtmps: { enabled: true, key_file: '/etc/tls/key.pem', cert_file: '/etc/tls/cert.pem', public_hostname: 'live.example' } } });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.live.rtmps).toMatchObject({ enabled: true, key_file: '/etc/tls/key.pem', cert_file: '/etc/tls/cert.pem', public_hostname: 'live.example' });
  });

  it.each([
    [{ live: { rtmps: { enabled: true } } }, 'live.rtmps.key_file'],
    [{ live: { rtmps: { enabled: true, key_file: '/k.pem' } } }, 'live.rtmps.key_file'],
    [{ live: { rtmps: { port: 70000 } } }, 'live.rtmps.port'],
    [{ live: { rtmps: { unknown: 1 } } }, 'live.rtmps'],
  ])('refuses %j naming %s', (data, key) => {
    const r = withData(data);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toContain(key);
  });
});
