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

  describe('through', () => {
    /** a load whose answers the test releases, oldest call first */
    function gate<T>() {
      const pending: { resolve: (v: { value: T; keep: boolean }) => void; reject: (err: Error) => void }[] = [];
      const calls: number[] = [];
      const load = () => {
        calls.push(calls.length);
        return new Promise<{ value: T; keep: boolean }>((resolve, reject) => pending.push({ resolve, reject }));
      };
      return { load, calls, release: (v: T, keep = true) => pending.shift()!.resolve({ value: v, keep }), refuse: (err: Error) => pending.shift()!.reject(err) };
    }

    it('concurrent misses of one key share one load; a request after a write does not join a load begun before it', async () => {
      const cache = createApiCache({ enabled: true, ttl: 1000, max_entries: 10 }, createManualClock());
      const g = gate<string>();
      const a = cache.through('k', g.load);
      const b = cache.through('k', g.load);
      expect(g.calls).toHaveLength(1);
      cache.invalidate(); // a write commits while the first load reads
      const c = cache.through('k', g.load);
      expect(g.calls).toHaveLength(2);
      g.release('before the write');
      g.release('after the write');
      expect([await a, await b, await c]).toEqual(['before the write', 'before the write', 'after the write']);
      // only the answer read after the write is kept
      expect(cache.get('k')).toBe('after the write');
    });

    it('an answer past its ttl is given once more while one background load replaces it', async () => {
      const clock = createManualClock(new Date('2026-12-07T12:00:00Z'));
      const cache = createApiCache({ enabled: true, ttl: 1000, max_entries: 10 }, clock);
      const first = gate<string>();
      const p = cache.through('k', first.load);
      first.release('v1');
      expect(await p).toBe('v1');
      clock.advance(1000);
      const refresh = gate<string>();
      expect(await cache.through('k', refresh.load)).toBe('v1');
      expect(await cache.through('k', refresh.load)).toBe('v1');
      expect(refresh.calls).toHaveLength(1);
      refresh.release('v2');
      await Promise.resolve();
      await Promise.resolve();
      expect(await cache.through('k', refresh.load)).toBe('v2');
      expect(refresh.calls).toHaveLength(1);
    });

    it('a refresh that may not be kept (the video went private) or that fails removes the old answer', async () => {
      const clock = createManualClock(new Date('2026-12-07T12:00:00Z'));
      const cache = createApiCache({ enabled: true, ttl: 1000, max_entries: 10 }, clock);
      for (const end of ['not kept', 'failed'] as const) {
        const key = `k-${end}`;
        const first = gate<string>();
        const p = cache.through(key, first.load);
        first.release('public');
        await p;
        clock.advance(1000);
        const refresh = gate<string>();
        expect(await cache.through(key, refresh.load)).toBe('public');
        if (end === 'not kept') refresh.release('private', false);
        else refresh.refuse(new Error('gone'));
        for (let i = 0; i < 5; i++) await Promise.resolve();
        expect(cache.get(key)).toBeUndefined();
        const next = gate<string>();
        const answer = cache.through(key, next.load);
        expect(next.calls).toHaveLength(1);
        next.release('read again');
        expect(await answer).toBe('read again');
      }
    });

    it('a failed load fails every request that shared it, and is not kept', async () => {
      const cache = createApiCache({ enabled: true, ttl: 1000, max_entries: 10 }, createManualClock());
      const g = gate<string>();
      const a = cache.through('k', g.load);
      const b = cache.through('k', g.load);
      g.refuse(new Error('404'));
      await expect(a).rejects.toThrow('404');
      await expect(b).rejects.toThrow('404');
      const again = gate<string>();
      const c = cache.through('k', again.load);
      expect(again.calls).toHaveLength(1);
      again.release('ok');
      expect(await c).toBe('ok');
    });
  });

  it('disabled: keeps nothing', () => {
    const cache = createApiCache({ enabled: false, ttl: 1000, max_entries: 10 }, createManualClock());
    cache.set('a', cache.begin(), 1);
    expect(cache.get('a')).toBeUndefined();
  });
});
