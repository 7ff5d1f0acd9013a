import { mkdtemp, readFile, readlink, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledMain } from '../../../src/bin/compiled-sources.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe('compiled sources (what `mirrortube` runs instead of tsx)', () => {
  let out = '';
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('transpiles every module once, links the rest of the repository, and transpiles again only what became stale', async () => {
    out = await mkdtemp(join(tmpdir(), 'mt-compiled-'));
    const first = await compiledMain({ outDir: out });
    expect(first.main).toBe(`file://${join(out, 'src', 'main.js')}`);
    expect(first.transpiled).toBeGreaterThan(100);
    // a module imports its neighbours as `./x.js`: the transpiled file sits where the import points
    const loadConfig = await readFile(join(out, 'src', 'config', 'load-config.js'), 'utf8');
    expect(loadConfig).not.toMatch(/: InstanceConfig\b/);
    expect(loadConfig).toContain('sourceMappingURL=load-config.js.map');
    // paths built from a module's own location (`../../config/default.yaml`) reach the repository's files
    expect(await readlink(join(out, 'config'))).toBe(join(REPO, 'config'));
    expect(await readlink(join(out, 'src', 'federation', 'contexts', 'activitystreams.json'))).toBe(join(REPO, 'src', 'federation', 'contexts', 'activitystreams.json'));
    expect(await readlink(join(out, 'src', 'web', 'player'))).toBe(join(REPO, 'src', 'web', 'player'));
    await expect(stat(join(out, 'src', 'web', 'player', 'main.js'))).rejects.toThrow();

    expect((await compiledMain({ outDir: out })).transpiled).toBe(0);

    // an output older than its source (the source was edited since) is transpiled again, alone
    const output = join(out, 'src', 'main.js');
    await utimes(output, new Date(0), new Date(0));
    expect((await compiledMain({ outDir: out })).transpiled).toBe(1);
    expect((await stat(output)).mtimeMs).toBeGreaterThan(0);
  });

  it('runs under node alone (no tsx): the transpiled command answers --version', async () => {
    const script = `const { main } = await import(${JSON.stringify(`file://${join(out, 'src', 'main.js')}`)}); process.exitCode = await main(['--version']);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: tmpdir() });
    expect(stdout).toMatch(/\d+\.\d+/);
  });
});
