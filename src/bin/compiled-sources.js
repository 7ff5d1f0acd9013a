// The server's TypeScript sources as plain JavaScript files, transpiled by esbuild (the same
// transform tsx applies) into a cache folder when missing or older than their source, then run by
// node itself. Running through tsx's module hooks cost about 115 MB of memory for the whole life of
// the process (node runs the hooks on a thread of their own, with its own JavaScript heap and every
// module's source passing through it); the transpiled files cost nothing beyond what node loads.
//
// The cache mirrors the repository: <out>/src/** holds the transpiled modules (each `x.ts` as
// `x.js`, which is what the sources import) and links to the other files of src/ (JSON contexts,
// the admin console's assets, the browser player's sources), and every other top-level entry of
// the repository (config/, prisma/, grafana/, node_modules/, package.json…) is a link, so paths a
// module builds from its own location (`new URL('../../config/default.yaml', import.meta.url)`)
// and package resolution find what they find in the repository.
//
// <out> is <repo>/.tmp/run, or a folder under the system's temporary folder when the repository is
// read-only (the Docker image). Several processes may start at once: each file is written under a
// name of its own then renamed into place, and every process writes the same bytes.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, readlink, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { mtimeOf, writableDir } from '../lib/folder-checks.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(REPO, 'src');
/** folders of src/ that are not server modules: linked, never transpiled (the browser player is bundled by client-bundles.ts) */
const LINKED_DIRS = new Set([join(SRC, 'web', 'player')]);
/** top-level entries of the repository that are not linked into the cache */
const NOT_LINKED = new Set(['src', '.tmp', '.git']);
const PARALLEL = 32;

/** A symbolic link at `path` to `target`, replacing a different one. */
async function link(target, path) {
  const current = await readlink(path).catch(() => null);
  if (current === target) return;
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.link`;
  await symlink(target, temporary);
  await rename(temporary, path);
}

async function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

/**
 * What the cache must hold, relative to its folder: folders, links (to absolute targets) and
 * transpiled modules (from their source).
 */
async function planOf() {
  const plan = { dirs: ['src'], links: [], modules: [] };
  for (const entry of await readdir(REPO)) {
    if (!NOT_LINKED.has(entry)) plan.links.push({ target: join(REPO, entry), path: entry });
  }
  async function walk(dir) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const source = join(dir, entry.name);
      const path = relative(REPO, source);
      if (entry.isDirectory() && LINKED_DIRS.has(source)) plan.links.push({ target: source, path });
      else if (entry.isDirectory()) {
        plan.dirs.push(path);
        await walk(source);
      } else if (entry.name.endsWith('.d.ts')) continue;
      else if (entry.name.endsWith('.ts')) plan.modules.push({ source, path: `${path.slice(0, -3)}.js` });
      else plan.links.push({ target: source, path });
    }
  }
  await walk(SRC);
  return plan;
}

/**
 * The modules to transpile again into `out` (all of them under other settings); a missing or wrong
 * link counts as a stale entry too (with no source), so a current cache is one with nothing stale.
 */
async function staleOf(out, plan, stamp) {
  if ((await readFile(join(out, 'stamp'), 'utf8').catch(() => null)) !== stamp) return plan.modules.length > 0 ? plan.modules : [{ source: null, path: 'stamp' }];
  const stale = [];
  for (const { target, path } of plan.links) {
    if ((await readlink(join(out, path)).catch(() => null)) !== target) stale.push({ source: null, path });
  }
  for (const module of plan.modules) {
    const [source, output] = await Promise.all([mtimeOf(module.source), mtimeOf(join(out, module.path))]);
    if (output === null || source === null || output < source) stale.push(module);
  }
  return stale;
}

/** What changes every output when it changes: esbuild's version and these settings. */
function settingsStamp(esbuildVersion, options) {
  return createHash('sha256').update(JSON.stringify({ esbuildVersion, options })).digest('hex').slice(0, 16);
}

/**
 * Transpiles what is stale and returns the URL of the transpiled `src/main.js`.
 * `outDir` (tests) overrides where the cache is.
 */
export async function compiledMain(options = {}) {
  const transformOptions = {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    // node 20.10+ reads `with { type: 'json' }` (esbuild would drop it for node20)
    supported: { 'import-attributes': true },
    sourcemap: 'external',
    // tsconfig.json's settings that change the emitted code (as tsx reads them)
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
  };
  const stamp = settingsStamp(createRequire(import.meta.url)('esbuild/package.json').version, transformOptions);
  const plan = await planOf();
  let out = options.outDir;
  if (!out) {
    const inRepo = join(REPO, '.tmp', 'run');
    // a read-only repository may hold a cache made when it was built (the Docker image): used when current
    if ((await writableDir(inRepo)) || (await staleOf(inRepo, plan, stamp)).length === 0) out = inRepo;
    else out = join(tmpdir(), `mirrortube-run-${createHash('sha1').update(REPO).digest('hex').slice(0, 12)}`);
  }
  const stale = await staleOf(out, plan, stamp);
  if (stale.length > 0) {
    for (const dir of plan.dirs) await mkdir(join(out, dir), { recursive: true });
    for (const { target, path } of plan.links) await link(target, join(out, path));
    const modules = stale.filter((entry) => entry.source !== null);
    // esbuild (and its service process) only when there is work
    const esbuild = modules.length > 0 ? await import('esbuild') : null;
    for (let i = 0; i < modules.length; i += PARALLEL) {
      await Promise.all(
        modules.slice(i, i + PARALLEL).map(async ({ source, path }) => {
          const output = join(out, path);
          const result = await esbuild.transform(await readFile(source, 'utf8'), { ...transformOptions, sourcefile: source });
          await writeAtomically(`${output}.map`, result.map);
          await writeAtomically(output, `${result.code}//# sourceMappingURL=${basename(output)}.map\n`);
        }),
      );
    }
    await writeAtomically(join(out, 'stamp'), stamp);
    // the transform service is not needed any more (the client bundles start it again when they build)
    await esbuild?.stop();
  }
  return { main: pathToFileURL(join(out, 'src', 'main.js')).href, transpiled: stale.filter((entry) => entry.source !== null).length, out };
}
