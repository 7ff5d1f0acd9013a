import { lstatSync, type Stats } from 'node:fs';
import { stat as statAsync } from 'node:fs/promises';
import path from 'node:path';
import { realpathInside } from './realpath-inside.js';

// Path safety of the static fast path (fast-static.ts): `resolveInside` (lexical) has been applied;
// each path segment below the mount's folder is lstat'ed: when none is a symbolic link the real path
// is the lexical one, inside the folder; a symbolic link sends the request through `realpathInside`.

/** The file named by a lexically checked path, with its stat; null when missing, not a file, or its real path leaves the folder. */
export async function findFile(root: string, candidate: string): Promise<{ path: string; stat: Stats } | null> {
  const absoluteRoot = path.resolve(root);
  const relative = path.relative(absoluteRoot, candidate);
  let current = absoluteRoot;
  let stat: Stats | undefined;
  for (const segment of relative.split(path.sep)) {
    current = `${current}${path.sep}${segment}`;
    stat = lstatSync(current, { throwIfNoEntry: false });
    if (stat === undefined) return null;
    if (stat.isSymbolicLink()) return followSymlinks(root, candidate);
  }
  if (!stat?.isFile()) return null;
  return { path: candidate, stat };
}

async function followSymlinks(root: string, candidate: string): Promise<{ path: string; stat: Stats } | null> {
  const real = await realpathInside(root, candidate);
  if (!real.ok) return null;
  try {
    const stat = await statAsync(real.path);
    return stat.isFile() ? { path: real.path, stat } : null;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** A missing file, or a path that cannot name one. */
export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP';
}
