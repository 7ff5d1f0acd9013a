/** Which version of a file bytes belong to (a replaced or rewritten file changes one of these). */
export interface FileVersion {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/**
 * Aligned blocks of files kept in memory by someone else: the static file server's cache, so that a
 * hot file is held once and its bytes are sent from the same memory over HTTP and to peers (no
 * read, no new buffer per piece). The composition adapts the static cache to this.
 */
export interface SharedFileBlocks {
  /** bytes per block; block `i` covers [i × blockSize, (i + 1) × blockSize) of the file */
  readonly blockSize: number;
  /** Block `index` of this version of the file when it is kept, else undefined. */
  block(path: string, version: FileVersion, index: number): Buffer | undefined;
  /** Whether a block just missed is worth reading whole and keeping (never for another version than the cached one). */
  admit(path: string, version: FileVersion, index: number): boolean;
  /** Keeps a block read whole from this version of the file. */
  store(path: string, version: FileVersion, index: number, bytes: Buffer): void;
}
