import { describe, expect, it } from 'vitest';
import { trackerAdmission } from '../../../src/p2p/tracker-admission.js';
import type { InfohashStanding, TrackerInfohashStore } from '../../../src/p2p/tracker-infohash-store.js';

const fakeStore = (rows: Record<string, InfohashStanding>): TrackerInfohashStore => ({ standing: async (h) => rows[h] ?? 'unknown' });

describe('tracker admission', () => {
  const allowed = trackerAdmission({
    store: fakeStore({ pub: 'open', priv: 'private', seededPriv: 'private' }),
    isSeeding: (h) => h === 'seededPriv' || h === 'copy',
  });

  it('accepts files of public videos and the copies we seed', async () => {
    expect(await allowed('pub')).toBe(true);
    expect(await allowed('copy')).toBe(true);
  });

  it('refuses unknown infohashes and those of private videos, even while a seeder still has them', async () => {
    expect(await allowed('nothing')).toBe(false);
    expect(await allowed('priv')).toBe(false);
    expect(await allowed('seededPriv')).toBe(false);
  });
});
