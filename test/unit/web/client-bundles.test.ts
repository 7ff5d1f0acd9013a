import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClientBundles } from '../../../src/web/client-bundles.js';

describe('client bundles (esbuild)', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('builds when missing, reuses while fresh, rebuilds when a source is newer, reports a broken source', async () => {
    const src = await mkdtemp(join(tmpdir(), 'mt-client-src-'));
    const out = await mkdtemp(join(tmpdir(), 'mt-client-out-'));
    dirs.push(src, out);
    await writeFile(join(src, 'shared.ts'), 'export const greet = (n: string): string => `hello ${n}`;\n');
    await writeFile(join(src, 'main.ts'), "import { greet } from './shared.js';\n(globalThis as any).said = greet('player');\n");
    await writeFile(join(src, 'pages.ts'), "(globalThis as any).page = 'pages';\n");

    const first = await createClientBundles({ outDir: out, sourceDir: src, recheckMs: 0 }).ensure();
    expect(first.ok && first.built).toBe(true);
    if (!first.ok) return;
    const sandbox: Record<string, unknown> = {};
    new Function('globalThis', first.files['player.js'])(sandbox);
    expect(sandbox.said).toBe('hello player');

    // another process (a new ClientBundles) finds it fresh
    const again = await createClientBundles({ outDir: out, sourceDir: src, recheckMs: 0 }).ensure();
    expect(again.ok && !again.built).toBe(true);

    await writeFile(join(src, 'shared.ts'), 'export const greet = (n: string): string => `bye ${n}`;\n');
    const future = new Date(Date.now() + 5_000);
    await utimes(join(src, 'shared.ts'), future, future);
    const rebuilt = await createClientBundles({ outDir: out, sourceDir: src, recheckMs: 0 }).ensure();
    expect(rebuilt.ok && rebuilt.built).toBe(true);
    if (rebuilt.ok) expect(rebuilt.files['player.js']).toContain('bye');

    await writeFile(join(src, 'pages.ts'), 'const = ;\n');
    const later = new Date(Date.now() + 10_000);
    await utimes(join(src, 'pages.ts'), later, later);
    const broken = await createClientBundles({ outDir: out, sourceDir: src, recheckMs: 0 }).ensure();
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.message).toMatch(/pages\.ts/);
  });
});
