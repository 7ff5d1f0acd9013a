// Development tool: writes a new migration under prisma/migrations/ from the difference between
// the existing migrations and prisma/schema/*.prisma. It uses Prisma's WebAssembly schema engine
// with an in-memory PGlite as shadow database, so no native engine binary and no server is needed.
//   npm run db:migration -- <name>
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';

const here = dirname(fileURLToPath(import.meta.url));
const schemaDir = join(here, 'schema');
const migrationsDir = join(here, 'migrations');
const name = (process.argv[2] ?? '').replace(/[^a-z0-9_]/gi, '_');
if (!name) {
  console.error('usage: npm run db:migration -- <name>');
  process.exit(2);
}

const require = createRequire(import.meta.url);
const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
interface Wasm {
  Module: new (bytes: Buffer) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
const module = new wasm.Module(readFileSync(wasmPath));
const instance = new wasm.Instance(module, { './schema_engine_bg.js': bg });
bg.__wbg_set_wasm(instance.exports);
(instance.exports.__wbindgen_start as () => void)();

const files = readdirSync(schemaDir)
  .filter((f) => f.endsWith('.prisma'))
  .sort()
  .map((f) => ({ path: join(schemaDir, f), content: readFileSync(join(schemaDir, f), 'utf8') }));

const lockPath = join(migrationsDir, 'migration_lock.toml');
if (!existsSync(lockPath)) {
  mkdirSync(migrationsDir, { recursive: true });
  writeFileSync(lockPath, '# Do not edit: written by prisma/create-migration.ts\nprovider = "postgresql"\n');
}
const migrationDirectories = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()
  .map((dir) => ({
    path: dir,
    migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: readFileSync(join(migrationsDir, dir, 'migration.sql'), 'utf8') } },
  }));

const shadow = new PGlite();
const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(shadow));
const engine = await bg.SchemaEngine.new({ datamodels: files.map((f) => [f.path, f.content]) }, () => {}, adapter);
const filters = { externalTables: [], externalEnums: [] };
const result = await engine.diff({
  from: {
    tag: 'migrations',
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: readFileSync(lockPath, 'utf8') },
    shadowDbInitScript: '',
    migrationDirectories,
  } as never,
  to: { tag: 'schemaDatamodel', files },
  script: true,
  exitCode: null,
  filters,
});
const sql = (result.stdout ?? '').trim();
if (!sql || /^-- This is an empty migration/.test(sql)) {
  console.log('schema and migrations agree: no migration written');
} else {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(migrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql + '\n');
  console.log(`wrote ${dir}/migration.sql`);
}
await shadow.close();
