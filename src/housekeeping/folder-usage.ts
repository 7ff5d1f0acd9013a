import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes of the regular files under `dir` (symbolic links not followed; missing folders are 0). */
export async function folderBytes(dir: string, signal?: AbortSignal): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0) {
    if (signal?.aborted) break;
    const current = pending.pop()!;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue; // gone meanwhile, or not readable
    }
    for (const e of entries) {
      const path = join(current, e.name);
      if (e.isDirectory()) pending.push(path);
      else if (e.isFile()) total += await lstat(path).then((s) => s.size, () => 0);
    }
  }
  return total;
}

/** Measures each storage folder on its own (their sums overlap only if the operator nests them). */
export async function measureFolders(folders: readonly (readonly [string, string])[], setUsed: (folder: string, bytes: number) => void, signal?: AbortSignal): Promise<void> {
  for (const [folder, path] of folders) {
    if (signal?.aborted) return;
    setUsed(folder, await folderBytes(path, signal));
  }
}
