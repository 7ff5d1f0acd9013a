import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { copiesRoot, copyDir, parkedName, parseWorkDirName, workDirName } from './copy-layout.js';

/** The errno code of a file-system error (`ENOENT`, `EXDEV`…), or undefined for anything else. */
export const errnoOf = (err: unknown): string | undefined => {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
};

/**
 * The work folder of a copy in progress: a new one, or (`resume`) the newest one a previous
 * attempt left for this video, whose older siblings are removed.
 */
export async function prepareWorkDir(tmpDir: string, uuid: string, resume: boolean): Promise<{ dir: string; adopted: boolean }> {
  await mkdir(tmpDir, { recursive: true });
  if (resume) {
    const entries = await readdir(tmpDir, { withFileTypes: true });
    const previous = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || parseWorkDirName(entry.name) !== uuid) continue;
      const dir = join(tmpDir, entry.name);
      previous.push({ dir, mtime: (await stat(dir)).mtimeMs });
    }
    previous.sort((a, b) => b.mtime - a.mtime);
    const [newest, ...older] = previous;
    for (const { dir } of older) await rm(dir, { recursive: true, force: true });
    if (newest !== undefined) return { dir: newest.dir, adopted: true };
  }
  const dir = join(tmpDir, workDirName(uuid));
  await mkdir(dir);
  return { dir, adopted: false };
}

/**
 * Puts the verified work folder at `<redundancyDir>/hls/<uuid>` with renames only: a reader sees
 * the previous copy or the new one, never a mix. A previous copy is moved aside first and deleted
 * after. From another file system the folder is first copied next to its destination.
 */
export async function moveIntoPlace(work: string, redundancyDir: string, uuid: string): Promise<void> {
  const root = copiesRoot(redundancyDir);
  const target = copyDir(redundancyDir, uuid);
  await mkdir(root, { recursive: true });
  let from = work;
  try {
    await rename(from, target);
    return;
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'EXDEV') {
      const staging = join(root, parkedName('incoming', uuid));
      try {
        await cp(from, staging, { recursive: true, errorOnExist: true });
      } catch (copyErr) {
        await rm(staging, { recursive: true, force: true });
        throw copyErr;
      }
      await rm(from, { recursive: true, force: true });
      from = staging;
    } else if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  try {
    await rename(from, target);
    return;
  } catch (err) {
    const code = errnoOf(err);
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  const old = join(root, parkedName('old', uuid));
  await rename(target, old);
  await rename(from, target);
  await rm(old, { recursive: true, force: true });
}

/** Bytes of the plain files of a folder (a copy has no subfolders). */
export async function folderBytes(dir: string): Promise<number> {
  const sizes = await Promise.all((await readdir(dir)).map(async (name) => (await stat(join(dir, name))).size));
  return sizes.reduce((a, b) => a + b, 0);
}
