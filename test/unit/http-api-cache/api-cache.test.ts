import { describe, expect, it } from 'vitest';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';
import { watchWrites, writeMatcher } from '../../../src/db/write-watch.js';
import { API_CACHE_TABLES, createApiCache } from '../../../src/http/api/api-cache.js';
import { createManualClock } from '../../../src/lib/clock.js';

describe('writeMatcher: which statements drop the API cache', () => {
  const touches = writeMatcher(API_CACHE_TABLES);
  it.each([
    ['INSERT INTO "public"."Video" ("uuid","name") VALUES ($1,$2) RETURNING "public"."Video"."id"', true],
    ['UPDATE "public"."VideoRedundancy" SET "state" = $1 WHERE "id" = $2', true],
    ['DELETE FROM "public"."Actor" WHERE "id" = $1', true],
    ['UPDATE "Video" SET views = views + $1 WHERE id = $2', true],
    ['WITH x AS (UPDATE "VideoFileRedundancy" SET state = $1 RETURNING id) SELECT count(*) FROM x', true],
    ['  update "public"."User" set "blocked" = true', true],
    ['SELECT "public"."Video"."id" FROM "public"."Video" WHERE "id" = $1', false],
    ['select 1', false],
    // the video list's one statement: a read with a CTE (it used to drop the cache at every list read)
    ['WITH page AS (SELECT v.id, (count(*) OVER ())::int AS total FROM "Video" v JOIN "VideoChannel" c ON c.id = v."channelId" ORDER BY v."updatedAt" LIMIT $1) SELECT * FROM page', false],
    ['with recursive t AS (SELECT 1) DELETE FROM "Video" WHERE id IN (SELECT * FROM t)', true],
    ['WITH x AS (SELECT 1) INSERT INTO "Account" ("id") SELECT * FROM x', true],
    ['UPDATE "public"."Job" SET "state" = $1 WHERE "id" = $2', false],
    ['INSERT INTO "public"."InboxActivity" ("type") VALUES ($1)', false],
    ['INSERT INTO "public"."VideoViewDaily" ("videoId") VALUES ($1)', false],
  ])('%s → %s', (sql, expected) => {
    expect(touches(sql)).toBe(expected);
  });
});

/** a driver adapter over nothing: records what ran */
function fakeFactory(log: string[]): SqlDriverAdapterFactory {
  const result = { columnTypes: [], columnNames: [], rows: [] };
  const queryable = (prefix: string) => ({
    provider: 'postgres' as const,
    adapterName: 'fake',
    queryRaw: async (q: SqlQuery) => (log.push(`${prefix}${q.sql}`), result),
    executeRaw: async (q: SqlQuery) => (log.push(`${prefix}${q.sql}`), 1),
  });
  const tx = (): Transaction => ({ ...queryable('tx: '), options: { usePhantomQuery: false }, commit: async () => void log.push('COMMIT'), rollback: async () => void log.push('ROLLBACK') });
  const adapter: SqlDriverAdapter = { ...queryable(''), executeScript: async () => {}, startTransaction: async () => tx(), dispose: async () => {} };
  return { provider: 'postgres', adapterName: 'fake', connect: async () => adapter };
}

const q = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });

describe('watchWrites: the cache is dropped once a write is visible', () => {
  it('after the statement outside a transaction, after COMMIT inside one, never for a rollback or a read', async () => {
    const log: string[] = [];
    const adapter = await watchWrites(fakeFactory(log), { tables: API_CACHE_TABLES, onCommitted: () => log.push('dropped') }).connect();
    await adapter.queryRaw(q('SELECT * FROM "Video"'));
    await adapter.executeRaw(q('UPDATE "Video" SET name = $1'));
    expect(log).toEqual(['SELECT * FROM "Video"', 'UPDATE "Video" SET name = $1', 'dropped']);
    log.length = 0;
    const tx = await adapter.startTransaction();
    await tx.executeRaw(q('UPDATE "Video" SET name = $1'));
    expect(log).toEqual(['tx: UPDATE "Video" SET name = $1']);
    await tx.commit();
    expect(log.slice(-2)).toEqual(['COMMIT', 'dropped']);
    log.length = 0;
    const rolledBack = await adapter.startTransaction();
    await rolledBack.executeRaw(q('DELETE FROM "Video"'));
    await rolledBack.rollback();
    const readOnly = await adapter.startTransaction();
    await readOnly.queryRaw(q('SELECT 1'));
    await readOnly.executeRaw(q('UPDATE "Job" SET state = $1'));
    await readOnly.commit();
    expect(log).not.toContain('dropped');
  });
});

describe('createApiCache', () => {
  it('an answer read before a write is not kept; entries expire after the ttl; the oldest goes first beyond max_entries', () => {
    const clock = createManualClock(new Date('2026-12-07T12:00:00Z'));
    const cache = createApiCache({ enabled: true, ttl: 1000, max_entries: 2 }, clock);
    const before = cache.begin();
    cache.invalidate(); // a write commits while the reader queries
    cache.set('a', before, 'stale');
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', cache.begin(), 'fresh');
    expect(cache.get('a')).toBe('fresh');
    cache.watch.onCommitted();
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', cache.begin(), 1);
    clock.advance(1000);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', cache.begin(), 1);
    cache.set('b', cache.begin(), 2);
    cache.set('c', cache.begin(), 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('disabled: keeps nothing', () => {
    const cache = createApiCache({ enabled: false, ttl: 1000, max_entries: 10 }, createManualClock());
    cache.set('a', cache.begin(), 1);
    expect(cache.get('a')).toBeUndefined();
  });
});
