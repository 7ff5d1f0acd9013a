import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type Prisma } from '../../../src/db/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createMetrics } from '../../../src/metrics/index.js';
import { createPrismaTransferStore, createTransferAccounting, type TransferAccounting } from '../../../src/transfers/index.js';
import { createTestDatabase } from '../../support/database.js';
import { parseExposition, sumSamples } from '../../support/seeding.js';

// The accounting against a real database (PostgreSQL): flushes with atomic increments,
// failures that lose nothing and count nothing twice, totals loaded back at start.

const logger = createLogger({ level: 'silent' });
const OWN = 'us.example';
const V1 = '11111111-1111-4111-8111-111111111111';
const V2 = '22222222-2222-4222-8222-222222222222';
const V3 = '33333333-3333-4333-8333-333333333333';

/** The Prisma client, with `$transaction` failing while `failing.count > 0` (then counting down). */
function flaky(prisma: Prisma, failing: { count: number }): Prisma {
  return new Proxy(prisma, {
    get(target, prop, receiver) {
      if (prop === '$transaction') {
        return (...args: unknown[]) => {
          if (failing.count > 0) {
            failing.count--;
            return Promise.reject(new Error('database went away'));
          }
          return (target.$transaction as (...a: unknown[]) => unknown)(...args);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe('transfer accounting (PostgreSQL)', () => {
  let db: Database;
  let drop: () => Promise<void> = async () => {};
  const failing = { count: 0 };
  const clock = createManualClock(new Date('2026-11-22T10:00:00Z'));

  function accounting(): { transfers: TransferAccounting; metrics: ReturnType<typeof createMetrics> } {
    const metrics = createMetrics({ version: 'test' });
    const transfers = createTransferAccounting({
      store: createPrismaTransferStore(flaky(db.prisma, failing)),
      clock,
      metrics: metrics.transfers,
      logger,
      ownHost: OWN,
      flushIntervalMs: 3_600_000,
      flushBatchSize: 2,
    });
    return { transfers, metrics };
  }

  async function persisted(): Promise<Record<string, number>> {
    const rows = await db.prisma.transferTotal.findMany();
    return Object.fromEntries(rows.map((r) => [`${r.videoUuid.slice(0, 2)} ${r.protocol} ${r.direction}`, Number(r.bytes)]));
  }

  beforeAll(async () => {
    const database = await createTestDatabase('postgres');
    drop = database.drop;
    db = await openDatabase({ url: database.url, dataDir: 'unused', logger });
  });
  afterAll(async () => {
    await db?.close();
    await drop();
  });

  it('flushes with increments, keeps a failed batch pending, never counts twice, and loads totals back at start', async () => {
    const { transfers, metrics } = accounting();
    await transfers.start();
    const local = (videoUuid: string) => ({ videoUuid, originHost: OWN, kind: 'local' as const });

    transfers.served(local(V1), 'http', 1000);
    transfers.served(local(V1), 'http', 500);
    transfers.served(local(V1), 'bittorrent', 700);
    transfers.servedHttp('web-videos', `${V2}-720.mp4`, 300);
    transfers.recordDownload({ videoUuid: V3, originHost: 'origin.example', protocol: 'http', bytes: 4000 });
    transfers.served({ videoUuid: V3, originHost: 'origin.example', kind: 'mirror' }, 'webrtc', 1000);
    expect(transfers.pendingBytes()).toBe(7500);

    await transfers.flush();
    expect(await persisted()).toEqual({
      '11 http served': 1500,
      '11 bittorrent served': 700,
      '22 http served': 300,
      '33 http downloaded': 4000,
      '33 webrtc served': 1000,
    });
    expect(transfers.pendingBytes()).toBe(0);

    // The database refuses the next flush: nothing of it is written, everything stays pending.
    transfers.served(local(V1), 'http', 10);
    transfers.served(local(V1), 'bittorrent', 20);
    transfers.served(local(V2), 'http', 30);
    transfers.served(local(V2), 'webrtc', 40);
    transfers.served({ videoUuid: V3, originHost: 'origin.example', kind: 'mirror' }, 'webrtc', 50);
    failing.count = 1;
    await expect(transfers.flush()).rejects.toThrow('database went away');
    expect(transfers.pendingBytes()).toBe(150);
    expect(await persisted()).toMatchObject({ '11 http served': 1500, '11 bittorrent served': 700 });
    // Counted again meanwhile: merged with what is pending.
    transfers.served(local(V1), 'http', 5);
    await transfers.flush();
    expect(transfers.pendingBytes()).toBe(0);
    expect(await persisted()).toEqual({
      '11 http served': 1515,
      '11 bittorrent served': 720,
      '22 http served': 330,
      '22 webrtc served': 40,
      '33 http downloaded': 4000,
      '33 webrtc served': 1050,
    });

    // /metrics saw every byte at once, and the ratio of origin.example is served ÷ downloaded.
    const samples = parseExposition(await metrics.registry.metrics());
    expect(sumSamples(samples, 'mirrortube_transfer_bytes_total', { direction: 'served', origin_host: OWN })).toBe(1515 + 720 + 330 + 40);
    expect(samples.filter((s) => s.name === 'mirrortube_seeding_ratio')).toEqual([
      { name: 'mirrortube_seeding_ratio', labels: { origin_host: 'origin.example' }, value: 1050 / 4000 },
    ]);
    await transfers.stop();

    // A new accounting over the same database starts from the persisted totals.
    const next = accounting();
    await next.transfers.start();
    const again = parseExposition(await next.metrics.registry.metrics());
    for (const labels of [
      { direction: 'served', protocol: 'http', kind: 'local', origin_host: OWN },
      { direction: 'downloaded', protocol: 'http', kind: 'mirror', origin_host: 'origin.example' },
      { direction: 'served', protocol: 'webrtc', kind: 'mirror', origin_host: 'origin.example' },
    ]) {
      expect(sumSamples(again, 'mirrortube_transfer_bytes_total', labels)).toBe(sumSamples(samples, 'mirrortube_transfer_bytes_total', labels));
    }
    expect(again.filter((s) => s.name === 'mirrortube_seeding_ratio')).toEqual(samples.filter((s) => s.name === 'mirrortube_seeding_ratio'));
    await next.transfers.stop();
  });

  it('a batch failing half-way: written batches stay written, the rest is retried once', async () => {
    await db.prisma.transferTotal.deleteMany();
    const { transfers } = accounting();
    await transfers.start();
    const uuids = Array.from({ length: 5 }, (_, i) => `4444444${i}-4444-4444-8444-444444444444`);
    for (const u of uuids) transfers.served({ videoUuid: u, originHost: OWN, kind: 'local' }, 'http', 100);
    // batches of 2: [0,1] passes, [2,3] fails → [2,3,4] stay pending
    let calls = 0;
    const realTransaction = db.prisma.$transaction.bind(db.prisma);
    const spy = new Proxy(db.prisma, {
      get(target, prop, receiver) {
        if (prop === '$transaction') {
          return (...args: unknown[]) => (++calls === 2 ? Promise.reject(new Error('lost connection')) : (realTransaction as (...a: unknown[]) => unknown)(...args));
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const metrics = createMetrics({ version: 'test' });
    const halfway = createTransferAccounting({ store: createPrismaTransferStore(spy), clock, metrics: metrics.transfers, logger, ownHost: OWN, flushIntervalMs: 3_600_000, flushBatchSize: 2 });
    await halfway.start();
    for (const u of uuids) halfway.served({ videoUuid: u, originHost: OWN, kind: 'local' }, 'http', 100);
    await expect(halfway.flush()).rejects.toThrow('lost connection');
    expect(halfway.pendingBytes()).toBe(300);
    await halfway.flush();
    await transfers.flush();
    const rows = await db.prisma.transferTotal.findMany({ orderBy: { videoUuid: 'asc' } });
    expect(rows.map((r) => Number(r.bytes))).toEqual([200, 200, 200, 200, 200]);
    await halfway.stop();
    await transfers.stop();
  });

  it('refuses programming errors at the door instead of poisoning later flushes', () => {
    const { transfers } = accounting();
    expect(() => transfers.served({ videoUuid: 'not-a-uuid', originHost: OWN, kind: 'local' }, 'http', 1)).toThrow(/not a video uuid/);
    expect(() => transfers.recordDownload({ videoUuid: V1, originHost: 'o.example', protocol: 'http', bytes: 1.5 })).toThrow(/not a byte count/);
    expect(transfers.pendingBytes()).toBe(0);
  });
});
