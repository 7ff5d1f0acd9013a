import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildInstance } from '../support/child-instance.js';
import { freePort } from '../support/ports.js';

const BIN = fileURLToPath(new URL('../../src/bin/mirrortube.js', import.meta.url));
const run = (args: string[], env: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('the mirrortube command', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('refuses a wrong key, naming the key and the file, and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mt-cli-'));
    dirs.push(dir);
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'listen:\n  prot: 9000\n');
    const r = await run(['serve', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`unknown configuration key "listen.prot" (set in ${file})`);
  });

  it('check-config prints the layered configuration with secrets redacted', async () => {
    const r = await run(['check-config'], { MIRRORTUBE_ADMIN__INITIAL_PASSWORD: 'hunter22', MIRRORTUBE_LISTEN__PORT: '9123' });
    expect(r.code).toBe(0);
    const config = JSON.parse(r.stdout) as { listen: { port: number }; admin: { initial_password: string } };
    expect(config.listen.port).toBe(9123);
    expect(config.admin.initial_password).toBe('[redacted]');
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('starts on the embedded database with no PostgreSQL settings, prints the root password once, stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mt-cli-'));
    dirs.push(dir);
    const port = await freePort();
    const env = { MIRRORTUBE_STORAGE__ROOT: dir, MIRRORTUBE_LISTEN__PORT: String(port), MIRRORTUBE_WEBSERVER__PORT: String(port), MIRRORTUBE_LOG__LEVEL: 'info' };
    const first = await startChildInstance(env, port);
    const config = (await (await fetch(`http://127.0.0.1:${port}/api/v1/config`)).json()) as { serverVersion: string };
    expect(config.serverVersion).toBe('6.3.0');
    const password = /generated password: (\S+?)"/.exec(first.output())?.[1];
    expect(password).toBeTruthy();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('mirrortube stopped');

    const second = await startChildInstance(env, port);
    const client = (await (await fetch(`http://127.0.0.1:${port}/api/v1/oauth-clients/local`)).json()) as Record<string, string>;
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password: password! }) });
    expect(login.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).not.toContain('generated password');
  });
});
