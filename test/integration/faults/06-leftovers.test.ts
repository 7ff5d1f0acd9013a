import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstance, type Instance } from '../../../src/instance.js';
import { createLogger } from '../../../src/lib/logger.js';
import { testConfig } from '../../support/instance.js';
import { waitFor } from '../../support/ports.js';
import { filesUnder, healthy } from './fault-support.js';
import { commandOf, descendantsOf, processesWithEnv, stillAlive } from './process-support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/run-ffmpeg.ts', import.meta.url));

// Issue 10, item 6: at start-up, what crashes left in tmp/uploads, tmp/transcode and work folders
// that no live job or session owns is swept; ffmpeg children never outlive the server, even
// after SIGKILL; and a start-up check kills orphans of the same storage.
describe('faults: leftovers of crashes (embedded database)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('start-up sweeps what no live job or session owns, and keeps what live sessions own', async () => {
    const { config, cleanup } = await testConfig({ db: 'embedded', overrides: { transcoding: { enabled: false } } });
    cleanups.push(cleanup);
    const start = async () => {
      const instance = await createInstance(config, { logger: createLogger({ level: config.log.level }) });
      await instance.start();
      return instance;
    };
    let instance: Instance = await start();
    const before = await filesUnder(config.storage.root);
    const worker = (await readFile(join(config.storage.root, 'worker-id'), 'utf8')).trim();
    const { layout } = instance;
    await instance.stop();

    // What three kinds of crash leave: a multipart upload, a transcode, image generation…
    await writeFile(join(layout.uploadsTmp, randomUUID()), 'half a multipart upload');
    await mkdir(join(layout.transcodeTmp, `${randomUUID()}-7`, 'hls'), { recursive: true });
    await writeFile(join(layout.transcodeTmp, `${randomUUID()}-7`), 'x');
    await mkdir(join(config.storage.tmp, 'images-abc123'), { recursive: true });
    // …an upload cut off after its files were moved into place, before its video row
    const unborn = randomUUID();
    await writeFile(layout.webVideo(`${unborn}-240.mp4`), 'orphan upload');
    await writeFile(layout.torrent(`${unborn}-240.torrent`), 'orphan torrent');
    await writeFile(layout.thumbnail(`${unborn}.jpg`), 'orphan thumbnail');
    // …resumable files without a session, sessions without a file, and live sessions
    await writeFile(join(layout.resumableTmp, 'f'.repeat(32)), 'no session');
    const session = (id: string, state: string, size: number, received: number) => ({
      id, userId: 1, metadata: { name: 'x', channelId: 1 }, filename: 'x.mp4', size: BigInt(size), received: BigInt(received), state, owner: worker, expiresAt: new Date(Date.now() + 3600_000),
    });
    const reopened = 'a'.repeat(32);
    const receiving = 'b'.repeat(32);
    const fileless = 'c'.repeat(32);
    // the database alone (the instance is not started)
    const db = await createInstance(config, { logger: createLogger({ level: config.log.level }) });
    await db.prisma.uploadSession.createMany({ data: [session(reopened, 'processing', 10, 10), session(receiving, 'receiving', 10, 4), session(fileless, 'receiving', 10, 4)] });
    await db.prisma.quotaReservation.createMany({
      data: [
        { id: 'd'.repeat(32), userId: 1, size: 100n, owner: worker, videoUuid: unborn, createdAt: new Date() },
        { id: reopened, userId: 1, size: 10n, owner: worker, createdAt: new Date() },
        { id: receiving, userId: 1, size: 10n, owner: worker, createdAt: new Date() },
        { id: fileless, userId: 1, size: 10n, owner: worker, createdAt: new Date() },
        { id: 'e'.repeat(32), userId: 1, size: 10n, owner: 'worker-of-another-storage', createdAt: new Date() },
      ],
    });
    await db.db.close();
    await writeFile(join(layout.resumableTmp, reopened), '0123456789');
    await writeFile(join(layout.resumableTmp, receiving), '0123');

    instance = await start();
    try {
      expect(await healthy(instance.urls.base)).toBe(true);
      expect(await filesUnder(config.storage.root)).toEqual([...before, `tmp/resumable/${reopened}`, `tmp/resumable/${receiving}`].sort());
      const sessions = await instance.prisma.uploadSession.findMany({ orderBy: { id: 'asc' } });
      expect(sessions.map((s) => [s.id, s.state])).toEqual([
        [reopened, 'receiving'],
        [receiving, 'receiving'],
      ]);
      const reservations = await instance.prisma.quotaReservation.findMany({ orderBy: { id: 'asc' } });
      expect(reservations.map((r) => r.id)).toEqual([reopened, receiving, 'e'.repeat(32)]);
    } finally {
      await instance.stop();
    }
  });

  it('ffmpeg dies with a server killed by SIGKILL; a start-up finds and kills orphans of its storage', async () => {
    const owner = resolve('/tmp', `mt-owner-${randomUUID()}`);
    const server = spawn(process.execPath, ['--import', 'tsx', FIXTURE, owner], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => server.once('exit', r));
    await new Promise<void>((r) => server.stdout!.once('data', () => r()));
    const tree = await waitFor('ffmpeg to run under the server', async () => {
      const pids = await descendantsOf(server.pid!);
      const names = await Promise.all(pids.map(commandOf));
      return names.includes('ffmpeg') ? pids : undefined;
    }, 20_000, 50);

    server.kill('SIGKILL');
    await exited;
    await waitFor('every child of the killed server to be gone', async () => ((await stillAlive(tree)).length === 0 ? true : undefined), 10_000, 50);

    // An orphan of a storage (a process of a previous run, not our child), then an instance on that storage.
    const { config, cleanup } = await testConfig({ db: 'embedded', overrides: { transcoding: { enabled: false } } });
    cleanups.push(cleanup);
    const tag = `MIRRORTUBE_FFMPEG_OWNER=${resolve(config.storage.root)}`;
    const launcher = spawn('/bin/sh', ['-c', 'sleep 300 </dev/null >/dev/null 2>&1 & echo $!'], { env: { ...process.env, MIRRORTUBE_FFMPEG_OWNER: resolve(config.storage.root) } });
    const orphan = Number(await new Promise<string>((r) => launcher.stdout.once('data', (d: Buffer) => r(d.toString().trim()))));
    await new Promise((r) => launcher.once('exit', r));
    expect(await processesWithEnv(tag)).toContain(orphan);

    const instance = await createInstance(config, { logger: createLogger({ level: config.log.level }) });
    await instance.start();
    try {
      await waitFor('the orphan to be gone', async () => ((await stillAlive([orphan])).length === 0 ? true : undefined), 10_000, 50);
      expect(await healthy(instance.urls.base)).toBe(true);
    } finally {
      await instance.stop();
      for (const pid of await stillAlive([orphan])) process.kill(pid, 'SIGKILL');
    }
  });
});
