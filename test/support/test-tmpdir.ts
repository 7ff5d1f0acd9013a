import { mkdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** A memory file system big enough for a run's databases, storage folders and clips (a 64 MB /dev/shm, Docker's default, is not). */
const SHM = '/dev/shm';
const MIN_FREE_BYTES = 4 * 1024 ** 3;

/**
 * The temporary folder of a test run: MT_TEST_TMPDIR when set; else a folder on /dev/shm when it is a
 * memory file system with room; else null (the system's). Every test database is a copy of a
 * 40 MB, 1,200-file template and every instance writes its storage there: on a busy machine's disk
 * one copy took 5–11 s, on tmpfs 0.3 s. The vitest config sets TMPDIR to it, so `os.tmpdir()` of the
 * global set-up, the test processes and their children (ffmpeg, child instances) all use it.
 */
export function testTmpdir(): string | null {
  const chosen = process.env.MT_TEST_TMPDIR || (hasRoom(SHM) ? join(SHM, 'mirrortube-tests') : null);
  if (!chosen) return null;
  mkdirSync(chosen, { recursive: true });
  return chosen;
}

function hasRoom(dir: string): boolean {
  try {
    const fs = statfsSync(dir);
    return fs.type === 0x01021994 /* TMPFS_MAGIC */ && fs.bavail * fs.bsize >= MIN_FREE_BYTES;
  } catch {
    return false;
  }
}
