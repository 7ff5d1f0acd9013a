/** Is `dir` a folder we may write in (made first when missing)? */
export function writableDir(dir: string): Promise<boolean>;
/** The modification time of `path` in ms, or null when there is nothing there. */
export function mtimeOf(path: string): Promise<number | null>;
