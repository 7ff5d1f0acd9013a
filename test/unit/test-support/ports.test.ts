import { describe, expect, it } from 'vitest';
import { freePort, portSlice } from '../../support/ports.js';

describe('test ports', () => {
  it('gives each vitest worker its own slice below the ephemeral range', () => {
    const slices = ['0', '1', '2', '3'].map((id) => portSlice(id));
    for (const [i, a] of slices.entries()) {
      expect(a.first).toBeGreaterThanOrEqual(20_000);
      expect(a.first + a.size).toBeLessThanOrEqual(32_768);
      for (const b of slices.slice(i + 1)) expect(a.first + a.size <= b.first || b.first + b.size <= a.first).toBe(true);
    }
    expect(portSlice('garbage')).toEqual(portSlice('0'));
  });

  it('does not hand out a port again before the slice wraps, even when nothing listened on it', async () => {
    const { first, size } = portSlice();
    const ports = [];
    for (let i = 0; i < 50; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(port >= first && port < first + size).toBe(true);
  });
});
