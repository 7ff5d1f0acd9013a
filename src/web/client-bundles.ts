import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mtimeOf, writableDir } from '../lib/folder-checks.js';

/** The browser scripts: the player (hls.js + p2p-media-loader) and the small page scripts (login, upload). */
export const CLIENT_ENTRIES = { player: 'main.ts', pages: 'pages.ts' } as const;
export type ClientFile = 'player.js' | 'pages.js';

export type BundleResult = { ok: true; files: Record<ClientFile, string>; etags: Record<ClientFile, string>; built: boolean } | { ok: false; message: string };

export interface ClientBundles {
  /** builds the bundles when missing or older than their sources (once per process at a time), then answers them */
  ensure(): Promise<BundleResult>;
}

const here = dirname(fileURLToPath(import.meta.url));
/** src/web/player/: the bundles' sources */
export const CLIENT_SOURCE_DIR = join(here, 'player');
/** where the bundles are written (gitignored; rebuilt when stale) */
export const DEFAULT_CLIENT_OUT_DIR = join(here, '..', '..', '.tmp', 'client');
/** when the source tree is read-only (the Docker image runs as `node` over a root-owned /app) */
const fallbackOutDir = (sourceDir: string) => join(tmpdir(), `mirrortube-client-${createHash('sha1').update(sourceDir).digest('hex').slice(0, 12)}`);

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/**
 * esbuild over src/web/player/*.ts into `outDir` (player.js, pages.js): built when a bundle is
 * missing or older than any source, into a temporary folder then renamed (several processes may
 * build at once; each rename is atomic). The answers are kept in memory once read.
 */
export function createClientBundles(options: { outDir?: string; sourceDir?: string; recheckMs?: number } = {}): ClientBundles {
  const sourceDir = options.sourceDir ?? CLIENT_SOURCE_DIR;
  let outDir = options.outDir ?? DEFAULT_CLIENT_OUT_DIR;
  let pending: Promise<BundleResult> | null = null;
  let cached: { files: Record<ClientFile, string>; etags: Record<ClientFile, string>; builtAt: number; checkedAt: number } | null = null;
  /** the sources are looked at again at most this often (they change in development only) */
  const recheckMs = options.recheckMs ?? 2000;

  async function run(): Promise<BundleResult> {
    // the build settings (this file) count as a source
    if (cached && performance.now() - cached.checkedAt < recheckMs) return { ok: true, files: cached.files, etags: cached.etags, built: false };
    if (!cached && !(await writableDir(outDir))) outDir = fallbackOutDir(sourceDir);
    const sources = Math.max(await newestSource(sourceDir), (await mtimeOf(fileURLToPath(import.meta.url))) ?? 0);
    if (cached && cached.builtAt >= sources) {
      cached.checkedAt = performance.now();
      return { ok: true, files: cached.files, etags: cached.etags, built: false };
    }
    const outputs = await Promise.all((['player.js', 'pages.js'] as const).map((f) => mtimeOf(join(outDir, f))));
    let built = false;
    if (outputs.some((m) => m === null || m < sources)) {
      const { build } = await import('esbuild');
      const tmp = join(outDir, `.build-${process.pid}-${Date.now()}`);
      await mkdir(tmp, { recursive: true });
      try {
        await build({
          entryPoints: Object.fromEntries(Object.entries(CLIENT_ENTRIES).map(([name, file]) => [name, join(sourceDir, file)])),
          bundle: true,
          format: 'iife',
          platform: 'browser',
          target: ['es2020'],
          minify: true,
          sourcemap: false,
          outdir: tmp,
          logLevel: 'silent',
          legalComments: 'none',
          // node-isms of the tracker client's dependencies
          define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
          banner: { js: 'var process=globalThis.process||{env:{},nextTick:function(f){var a=[].slice.call(arguments,1);queueMicrotask(function(){f.apply(null,a)})},browser:true,version:""};' },
        });
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        return { ok: false, message: err instanceof Error ? err.message : String(err) };
      }
      for (const f of ['player.js', 'pages.js']) await rename(join(tmp, f), join(outDir, f));
      await rm(tmp, { recursive: true, force: true });
      built = true;
    }
    const [player, pages] = await Promise.all([readFile(join(outDir, 'player.js'), 'utf8'), readFile(join(outDir, 'pages.js'), 'utf8')]);
    const etag = (text: string) => `"${createHash('sha1').update(text).digest('base64url')}"`;
    cached = {
      files: { 'player.js': player, 'pages.js': pages },
      etags: { 'player.js': etag(player), 'pages.js': etag(pages) },
      builtAt: Math.max(sources, Date.now() - 1),
      checkedAt: performance.now(),
    };
    return { ok: true, files: cached.files, etags: cached.etags, built };
  }

  return {
    ensure() {
      pending ??= run().finally(() => {
        pending = null;
      });
      return pending;
    },
  };
}
