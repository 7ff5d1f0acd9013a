export { openDatabase, pgExecutor, pgliteExecutor } from './open-database.js';
export type { Database, DatabaseOptions, Prisma } from './open-database.js';
export { createTransactor, inMemoryTransactor } from './transactor.js';
export { applyMigrations, readMigrations, MIGRATIONS_DIR } from './migrate.js';
