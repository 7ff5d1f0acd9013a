import { readdir, readFile } from 'node:fs/promises';
import { FFMPEG_OWNER_ENV } from './watched-spawn.js';

/**
 * Finds the ffmpeg/ffprobe processes (and their watchdog shells) started for this storage by a
 * previous run that died, by the owner tag in their environment (Linux /proc), and SIGKILLs them.
 * Children of this process are left alone. Returns the pids killed.
 */
export async function killOrphanChildren(owner: string): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  const tag = `${FFMPEG_OWNER_ENV}=${owner}`;
  const killed: number[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const environ = await readFile(`/proc/${pid}/environ`).catch(() => null);
    if (!environ || !environ.toString('utf8').split('\0').includes(tag)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}
