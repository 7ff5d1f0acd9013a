import { copyFile, rename, rm } from 'node:fs/promises';

/** Moves a file, falling back to copy + delete across file systems. */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

/** Removes files, ignoring those already gone. */
export async function removeAll(paths: string[]): Promise<void> {
  await Promise.all(paths.map((p) => rm(p, { force: true, recursive: true })));
}
