import { describe, expect, it } from 'vitest';
import { internalUrlOf, nodeNameOf, nodeState } from '../../../src/cluster/index.js';

const node = (over: { name?: string | null; internal_url?: string | null } = {}) => ({ name: null, internal_url: null, lease_duration: 30_000, ...over });

describe('cluster: node identity', () => {
  it('names a node by node.name, else by its host name made a valid name', () => {
    expect(nodeNameOf({ node: node({ name: 'edge-1' }) }, 'ignored')).toBe('edge-1');
    expect(nodeNameOf({ node: node() }, 'video host.example')).toBe('video-host.example');
    expect(nodeNameOf({ node: node() }, '')).toBe('mirrortube');
  });

  it('is reached at node.internal_url, else at its listen address (loopback when listening everywhere)', () => {
    expect(internalUrlOf({ node: node({ internal_url: 'http://10.0.0.2:9000/' }), listen: { hostname: '0.0.0.0', port: 9000 } }, 9000)).toBe('http://10.0.0.2:9000');
    expect(internalUrlOf({ node: node(), listen: { hostname: '0.0.0.0', port: 0 } }, 4321)).toBe('http://127.0.0.1:4321');
    expect(internalUrlOf({ node: node(), listen: { hostname: '::', port: 0 } }, 4321)).toBe('http://[::1]:4321');
    expect(internalUrlOf({ node: node(), listen: { hostname: '10.1.2.3', port: 80 } }, 80)).toBe('http://10.1.2.3:80');
  });

  it('is online while seen within the lease, offline after, stopped once stopped cleanly', () => {
    const now = new Date('2026-01-01T00:01:00Z');
    expect(nodeState({ lastSeenAt: new Date('2026-01-01T00:00:30Z'), stoppedAt: null }, now, 30_000)).toBe('online');
    expect(nodeState({ lastSeenAt: new Date('2026-01-01T00:00:29Z'), stoppedAt: null }, now, 30_000)).toBe('offline');
    expect(nodeState({ lastSeenAt: now, stoppedAt: now }, now, 30_000)).toBe('stopped');
  });
});
