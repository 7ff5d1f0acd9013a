import { realpath } from 'node:fs/promises';
import { isInside } from './resolve-inside.js';

export type RealpathResult =
  | { ok: true; path: string }
  | { ok: false; reason: { type: 'not-found' | 'outside-root' } };

/**
 * Resolves symlinks of `candidate` (already checked lexically by `resolveInside`) and of `root`,
 * and refuses a file whose real location is not below the real root (symlink escape).
 * Missing files are an expected outcome, not an exception.
 */
export async function realpathInside(root: string, candidate: string): Promise<RealpathResult> {
  let realRoot: string;
  let realCandidate: string;
  try {
    realRoot = await realpath(root);
    realCandidate = await realpath(candidate);
  } catch (error) {
    if (isMissing(error)) return { ok: false, reason: { type: 'not-found' } };
    throw error;
  }
  if (!isInside(realRoot, realCandidate)) return { ok: false, reason: { type: 'outside-root' } };
  return { ok: true, path: realCandidate };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG';
}
