import { readdir, readFile } from 'node:fs/promises';

/** Live (not zombie) process ids with their parent, from /proc. */
async function processTable(): Promise<Map<number, number>> {
  const table = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') continue;
    table.set(Number(name), Number(ppid));
  }
  return table;
}

/** Every live descendant of a process. */
export async function descendantsOf(pid: number): Promise<number[]> {
  const table = await processTable();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

/** Which of these processes are still alive (zombies count as gone). */
export async function stillAlive(pids: number[]): Promise<number[]> {
  const table = await processTable();
  return pids.filter((p) => table.has(p));
}

/** Command name of a process ('' when gone). */
export async function commandOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
}

/** Live processes whose environment carries this exact `NAME=value`. */
export async function processesWithEnv(entry: string): Promise<number[]> {
  const out: number[] = [];
  for (const pid of (await processTable()).keys()) {
    const environ = await readFile(`/proc/${pid}/environ`).catch(() => null);
    if (environ && environ.toString('utf8').split('\0').includes(entry)) out.push(pid);
  }
  return out;
}
