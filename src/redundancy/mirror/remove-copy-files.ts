import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { assertSafeUuid, copiesRoot, copyDir, parseParkedName, parseWorkDirName } from './copy-layout.js';

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Removes everything of one copy: its folder, its work folders in tmpDir and parked swap folders.
 * Call it once nothing writes there any more (the copy's mirror job stopped).
 */
export async function removeCopyFiles(params: { redundancyDir: string; tmpDir: string; uuid: string }): Promise<void> {
  assertSafeUuid(params.uuid);
  await rm(copyDir(params.redundancyDir, params.uuid), { recursive: true, force: true });
  for (const name of await names(params.tmpDir)) {
    if (parseWorkDirName(name) === params.uuid) await rm(join(params.tmpDir, name), { recursive: true, force: true });
  }
  const root = copiesRoot(params.redundancyDir);
  for (const name of await names(root)) {
    if (parseParkedName(name)?.uuid === params.uuid) await rm(join(root, name), { recursive: true, force: true });
  }
}
