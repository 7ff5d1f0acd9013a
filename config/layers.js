// The layer map: the areas of src/, the areas each one may import (its arrows), and the modules
// only some files may import. config/eslint.config.js turns it into lint rules (config/boundaries.js);
// the README's architecture map shows the same table: `node config/layers.js` prints it.

/** Top-level folders (and root files) of src/, and the areas each may import. Everyone may use `lib`. */
export const areas = {
  lib: { uses: [], what: 'clock, logger, results, units, URLs, the Tx/Transactor types' },
  config: { uses: [], what: 'zod schema + layered loader' },
  db: { uses: [], what: 'Prisma client factory, migrations, transactor' },
  net: { uses: [], what: 'the SSRF-safe, pinned outbound HTTP primitive' },
  storage: { uses: ['config'], what: 'local folders and object storage' },
  metrics: { uses: ['db', 'jobs'], what: 'prom-client registry, every metric' },
  transfers: { uses: ['db', 'metrics'], what: 'bytes served and downloaded per video: the seeding ratio' },
  jobs: { uses: ['db'], what: 'durable job queue + scheduler' },
  transcoding: { uses: [], what: 'ladder, ffmpeg argv (pure), runner' },
  accounts: { uses: ['db'], what: 'users, accounts, channels, actor keys, OAuth tokens' },
  p2p: { uses: ['db', 'videos'], what: 'torrents, tracker, seeder' },
  videos: { uses: ['db', 'config', 'accounts', 'jobs', 'metrics', 'p2p', 'transcoding', 'storage'], what: 'upload intake, video service, storage layout, transcode job' },
  federation: { uses: ['db', 'config', 'accounts', 'jobs', 'metrics', 'net', 'transcoding', 'videos'], what: 'ActivityPub: vocab, signatures, inbox, delivery, remote' },
  redundancy: { uses: ['db', 'config', 'accounts', 'federation', 'jobs', 'metrics', 'net', 'p2p', 'storage', 'transcoding'], what: 'the engine: planner, mirror, origin side' },
  comments: { uses: ['db', 'accounts', 'federation', 'http', 'videos'], what: 'video comments' },
  ratings: { uses: ['db', 'accounts', 'federation', 'http', 'videos'], what: 'likes and dislikes' },
  views: { uses: ['db', 'config', 'accounts', 'federation', 'http', 'videos'], what: 'views and viewers' },
  housekeeping: { uses: ['db'], what: 'pruning, storage sizes' },
  cluster: { uses: ['db', 'config', 'jobs', 'metrics'], what: 'several nodes on one database: node registry, leader leases' },
  live: { uses: ['db', 'config', 'accounts', 'federation', 'http', 'jobs', 'metrics', 'net', 'p2p', 'redundancy', 'storage', 'transcoding', 'transfers', 'videos'], what: 'RTMP ingest, live HLS, sessions, replay, relay of remote lives' },
  web: { uses: ['db', 'config', 'accounts', 'federation', 'http', 'jobs', 'metrics', 'p2p', 'redundancy', 'storage', 'transfers', 'videos', 'live'], what: 'server-rendered pages, the player bundle, the operator console' },
  http: { uses: ['db', 'config', 'accounts', 'federation', 'jobs', 'metrics', 'p2p', 'redundancy', 'transfers', 'videos', 'storage'], what: 'koa app, middleware, routers' },
  cli: { uses: ['db', 'config', 'accounts', 'storage'], what: 'reset-password, port check' },
  instance: { uses: '*', what: 'composition root (src/instance.ts)' },
  'compose-http': { uses: '*', what: 'composition root, HTTP part: the koa app and its routers (src/compose-http.ts)' },
  main: { uses: ['cli', 'config', 'http', 'instance', 'redundancy'], what: 'process entry (src/main.ts)' },
  bin: { uses: '*', what: 'the mirrortube command' },
  generated: { uses: '*', what: 'the generated Prisma client' },
};

/** Modules only some files may import (globs are relative to the repository; packages by name). */
export const restricted = [
  {
    name: 'Prisma',
    modules: ['src/db/index.ts', 'src/generated/prisma/**'],
    // the composition root and the areas' assembly functions (create-*.ts) build the Prisma stores
    allowedIn: ['src/**/*-store.ts', 'src/db/**', 'src/lib/tx.ts', 'src/instance.ts', 'src/compose-http.ts', 'src/**/create-*.ts'],
    why: 'only store modules (*-store.ts) touch Prisma, type-only imports included; the composition root and create-*.ts build them',
  },
  {
    name: 'koa and the HTTP layer',
    packages: ['koa', '@koa/*'],
    modules: ['src/http/**'],
    // areas' assembly functions (create-*.ts) build their routers; *-format.ts shape REST answers with the API's formatters
    allowedIn: ['src/http/**', 'src/instance.ts', 'src/compose-http.ts', 'src/main.ts', 'src/**/create-*.ts', 'src/**/*-router.ts', 'src/**/*-format.ts'],
    why: 'the domain does not know koa; routers adapt HTTP onto services',
  },
];

/** A folder with an index.ts exposes what others may use from it; its other files are its own. */
export const internals = { enforce: true, except: ['src/generated/**'] };

/** The arrows as a markdown table (for the README's architecture map). */
export function layerTable() {
  const rows = Object.entries(areas).map(([name, a]) => `| \`${name}\` | ${a.uses === '*' ? 'any' : ['lib', ...a.uses].map((u) => `\`${u}\``).join(', ')} | ${a.what} |`);
  return ['| area | may import | what |', '|---|---|---|', ...rows].join('\n');
}

/* global process, URL, console */
// eslint-disable-next-line no-console -- `npm run lint:layers` prints the table
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) console.log(layerTable());
