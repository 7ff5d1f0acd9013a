export { openDatabase } from './open-database.js';
export type { Database, DatabaseOptions, Prisma } from './open-database.js';
export { applyMigrations, readMigrations, MIGRATIONS_DIR } from './migrate.js';
