import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';

/**
 * Which writes to watch: statements that change one of `tables` call `onCommitted()` once they are
 * visible to other connections (after the statement outside a transaction, after COMMIT inside one).
 * Read caches use it to drop what they hold: every write through the Prisma client passes here,
 * whichever module makes it, so no writer can forget to invalidate.
 */
export interface WriteWatch {
  tables: readonly string[];
  onCommitted(): void;
}

const READ_ONLY = /^\s*(select|show|explain|begin|commit|rollback|savepoint|release|set|deallocate)\b/i;
/** a statement with common table expressions: a read unless one of them (or its end) modifies */
const READ_ONLY_WITH = /^\s*with\b/i;
/** data-modifying keywords as words (`"updatedAt"` is not one; a false match only drops the cache once more) */
const MODIFYING = /\b(insert|update|delete|merge|truncate)\b/i;

/** A matcher for statements that may change one of `tables` (quoted as Prisma and our raw SQL name them). */
export function writeMatcher(tables: readonly string[]): (sql: string) => boolean {
  const names = new RegExp(`"(${tables.map((t) => t.replace(/[^A-Za-z0-9_]/g, '')).join('|')})"`);
  // anything but a plain read (INSERT, UPDATE, DELETE, WITH … UPDATE, TRUNCATE, a script) that names a watched table;
  // a WITH … SELECT (the video list's one statement) is a read: counted as a write, every list read
  // dropped the whole cache (measured: the list answered as fast cached as uncached)
  return (sql) => !READ_ONLY.test(sql) && !(READ_ONLY_WITH.test(sql) && !MODIFYING.test(sql)) && names.test(sql);
}

/** Wraps a driver adapter factory so that committed writes to the watched tables are reported. */
export function watchWrites(factory: SqlDriverAdapterFactory, watch: WriteWatch): SqlDriverAdapterFactory {
  const touches = writeMatcher(watch.tables);
  const notify = () => {
    try {
      watch.onCommitted();
    } catch {
      // a listener's bug must not fail the write that already happened
    }
  };

  const wrapTransaction = (tx: Transaction): Transaction => {
    let dirty = false;
    const run =
      (method: 'queryRaw' | 'executeRaw') =>
      async (query: SqlQuery): Promise<never> => {
        if (!dirty && touches(query.sql)) dirty = true;
        return (await tx[method](query)) as never;
      };
    const queryRaw = run('queryRaw');
    const executeRaw = run('executeRaw');
    const commit = async () => {
      try {
        await tx.commit();
      } finally {
        if (dirty) notify();
      }
    };
    return new Proxy(tx, {
      get(target, prop) {
        if (prop === 'queryRaw') return queryRaw;
        if (prop === 'executeRaw') return executeRaw;
        if (prop === 'commit') return commit;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };

  const wrapAdapter = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const run =
      (method: 'queryRaw' | 'executeRaw') =>
      async (query: SqlQuery): Promise<never> => {
        if (!touches(query.sql)) return (await adapter[method](query)) as never;
        try {
          return (await adapter[method](query)) as never;
        } finally {
          notify();
        }
      };
    const queryRaw = run('queryRaw');
    const executeRaw = run('executeRaw');
    const executeScript = async (script: string) => {
      try {
        await adapter.executeScript(script);
      } finally {
        if (touches(script)) notify();
      }
    };
    const startTransaction = async (...args: Parameters<SqlDriverAdapter['startTransaction']>) => wrapTransaction(await adapter.startTransaction(...args));
    return new Proxy(adapter, {
      get(target, prop) {
        if (prop === 'queryRaw') return queryRaw;
        if (prop === 'executeRaw') return executeRaw;
        if (prop === 'executeScript') return executeScript;
        if (prop === 'startTransaction') return startTransaction;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };

  return new Proxy(factory, {
    get(target, prop) {
      if (prop === 'connect') return async () => wrapAdapter(await target.connect());
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
