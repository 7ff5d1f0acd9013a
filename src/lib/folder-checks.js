// Plain JavaScript (with folder-checks.d.ts), because the `mirrortube` launcher
// (src/bin/compiled-sources.js) runs before any TypeScript can be loaded; the server's modules
// (web/client-bundles.ts) import the same file.
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';

/** Is `dir` a folder we may write in (made first when missing)? */
export async function writableDir(dir) {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The modification time of `path` in ms, or null when there is nothing there. */
export async function mtimeOf(path) {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}
