import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstance } from '../../../src/instance.js';
import { createLogger } from '../../../src/lib/logger.js';
import { startChildInstance } from '../../support/child-instance.js';
import { testConfig } from '../../support/instance.js';
import { freePort, waitFor } from '../../support/ports.js';
import { loginAs } from './operator-support.js';

// Issue 10, item 12: a new operator's first start. The published URL follows the listen port; a
// port in use stops start-up with one line and creates nothing; reset-password sets a new
// password; SIGTERM to `npm start` stops the server.

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(ROOT, 'src/bin/mirrortube.js');

function runCli(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

const occupy = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('first start', () => {
  const dirs: string[] = [];
  const pids: number[] = [];
  afterAll(async () => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const storage = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mt-first-'));
    dirs.push(dir);
    return dir;
  };

  it('without webserver.port, published URLs carry the listen port; reset-password sets a new password', async () => {
    const dir = await storage();
    const port = await freePort();
    const env = { MIRRORTUBE_STORAGE__ROOT: dir, MIRRORTUBE_LISTEN__PORT: String(port), MIRRORTUBE_WEBSERVER__HOSTNAME: '127.0.0.1', MIRRORTUBE_LOG__LEVEL: 'warn' };
    const first = await startChildInstance(env, port);
    const nodeinfo = (await (await fetch(`http://127.0.0.1:${port}/.well-known/nodeinfo`)).json()) as { links: { href: string }[] };
    expect(nodeinfo.links[0]!.href.startsWith(`http://127.0.0.1:${port}/`)).toBe(true);
    const generated = /generated password: (\S+?)"/.exec(first.output())?.[1];
    expect(generated).toBeTruthy();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // a piped password is set; an unknown user changes nothing
    expect((await runCli(['reset-password', '--user', 'nobody'], env, 'whatever-123\n')).code).toBe(1);
    const piped = await runCli(['reset-password', '--user', 'root'], env, 'brand-new-password\n');
    expect([piped.code, piped.stdout.trim()]).toEqual([0, 'password of "root" changed']);
    // no input: a new one is generated and printed
    const printed = await runCli(['reset-password', '-u', 'root'], env, '');
    expect(printed.code).toBe(0);
    const newest = /new password of "root": (\S+)/.exec(printed.stdout)?.[1];
    expect(newest).toBeTruthy();

    const second = await startChildInstance(env, port);
    await expect(loginAs(`http://127.0.0.1:${port}`, 'root', generated!)).rejects.toThrow(/400|401/);
    await expect(loginAs(`http://127.0.0.1:${port}`, 'root', 'brand-new-password')).rejects.toThrow(/400|401/);
    expect(await loginAs(`http://127.0.0.1:${port}`, 'root', newest!)).toBeTruthy();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('a port in use stops `serve` with one clear line and creates nothing', async () => {
    const dir = join(await storage(), 'never-created');
    const port = await freePort();
    const blocker = await occupy(port);
    try {
      const r = await runCli(['serve'], { MIRRORTUBE_STORAGE__ROOT: dir, MIRRORTUBE_LISTEN__PORT: String(port), MIRRORTUBE_LOG__LEVEL: 'info' });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`))]);
      expect(r.stdout).not.toMatch(/generated password/);
      expect(existsSync(dir)).toBe(false);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('in process too, the server listens before it creates the root user', async () => {
    const { config, cleanup } = await testConfig({ db: 'embedded', overrides: { admin: { initial_password: null } } });
    const blocker = await occupy(config.listen.port);
    const instance = await createInstance(config, { logger: createLogger({ level: 'silent' }) });
    try {
      await expect(instance.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(await instance.prisma.user.count()).toBe(0);
    } finally {
      await instance.stop().catch(() => undefined);
      await new Promise((r) => blocker.close(r));
      await cleanup();
    }
  });

  it('SIGTERM to `npm start` stops the server too', async () => {
    const dir = await storage();
    const port = await freePort();
    const env = { ...process.env, MIRRORTUBE_STORAGE__ROOT: dir, MIRRORTUBE_LISTEN__PORT: String(port), MIRRORTUBE_LOG__LEVEL: 'warn', MIRRORTUBE_SEEDING__ENABLED: 'false' };
    const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout.on('data', (d: Buffer) => (output += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (output += d.toString()));
    pids.push(npm.pid!);
    await waitFor('the server started by npm start', async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok ? true : undefined), 90_000);
    // every process under npm (a shell, node): none may outlive it
    const children = (await new Promise<string>((resolve) => execFile('ps', ['-e', '-o', 'pid=,ppid='], (_e, out) => resolve(out))))
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
    const tree = new Set([npm.pid!]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, ppid] of children) {
        if (tree.has(ppid) && !tree.has(pid)) {
          tree.add(pid);
          grew = true;
        }
      }
    }
    pids.push(...tree);
    try {
      npm.kill('SIGTERM');
      await waitFor('every process of npm start gone', async () => ([...tree].some(alive) ? undefined : true), 30_000);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      expect(output).not.toMatch(/Error/);
    } finally {
      for (const pid of tree) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
