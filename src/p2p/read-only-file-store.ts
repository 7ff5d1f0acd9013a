import { open, type FileHandle } from 'node:fs/promises';
import type { FileVersion, SharedFileBlocks } from './shared-file-blocks.js';

type Callback<T = void> = (err: Error | null, value?: T) => void;

/** How long a file stays open after its last read. */
const IDLE_CLOSE_MS = 15_000;
/** Whole pieces kept per torrent (peers ask for 16 KiB blocks of a piece one after another). */
const PIECES_KEPT = 4;
/** Pieces longer than this are read block by block, never held whole. */
const MAX_KEPT_PIECE = 4 * 1024 * 1024;

/**
 * An abstract-chunk-store (what webtorrent reads pieces from) over one existing file, read-only:
 * the seeder serves the very file the static server serves, whatever the torrent's `info.name`
 * says, and can never write to it or delete it (`put` fails; `destroy` only closes).
 *
 * The file is opened on the first read and closed again after a while without reads, so seeding
 * thousands of files does not hold thousands of descriptors. A peer asks for a piece as 16 KiB
 * blocks one after another: the whole piece is read once (one read from the page cache instead
 * of one per block) and the last few pieces are kept, until the file is closed for idleness.
 * Nothing is hashed again (webtorrent's piece cache is off; the seeder adds with skipVerify).
 *
 * With `blocks` (the static file server's cache), blocks of the file that are in memory are
 * answered from there, and a piece missed in a block the cache admits is read as that whole block
 * and kept in it: a hot file is read once and held once for HTTP and peers alike, and sending it
 * allocates nothing (new buffers per piece cost more in garbage collection than the reads do). The
 * cache is asked for the version of the file this store has open (its fstat), so bytes of a file
 * replaced since are never mixed in.
 */
export class ReadOnlyFileStore {
  readonly chunkLength: number;
  private readonly length: number;
  private readonly path: string;
  private readonly blocks: SharedFileBlocks | undefined;
  private handle: Promise<{ file: FileHandle; version: FileVersion }> | null = null;
  /** the open file's version, once known (for answers from the shared blocks without waiting) */
  private version: FileVersion | null = null;
  private reads = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** recently read whole pieces, oldest first (pending reads included, so concurrent blocks share one) */
  private readonly pieces = new Map<number, Promise<Buffer>>();

  constructor(chunkLength: number, options: { path: string; length: number; blocks?: SharedFileBlocks }) {
    this.chunkLength = chunkLength;
    this.path = options.path;
    this.length = options.length;
    this.blocks = options.blocks;
  }

  put(_index: number, _buffer: Uint8Array, callback: Callback = () => {}): void {
    queueMicrotask(() => callback(new Error('read-only store: the seeder never writes to served files')));
  }

  get(index: number, options: { offset?: number; length?: number } | null | Callback<Buffer>, callback?: Callback<Buffer>): void {
    if (typeof options === 'function') return this.get(index, null, options);
    const cb = callback ?? (() => {});
    if (this.closed) return queueMicrotask(() => cb(new Error('store closed')));
    const pieceStart = index * this.chunkLength;
    const pieceLength = Math.min(this.chunkLength, this.length - pieceStart);
    const offset = options?.offset ?? 0;
    const length = options?.length ?? pieceLength - offset;
    if (pieceLength <= 0 || offset < 0 || length < 0 || offset + length > pieceLength) {
      return queueMicrotask(() => cb(new Error(`read outside the file: piece ${index}, offset ${offset}, length ${length}`)));
    }
    const shared = this.sharedBlock(pieceStart + offset, length);
    if (shared) {
      queueMicrotask(() => cb(null, shared));
      return;
    }
    if (pieceLength > MAX_KEPT_PIECE) {
      this.read(pieceStart + offset, length).then(
        (buffer) => cb(null, buffer),
        (err: Error) => cb(err),
      );
      return;
    }
    this.piece(index, pieceStart, pieceLength).then(
      (piece) => cb(null, offset === 0 && length === piece.length ? piece : piece.subarray(offset, offset + length)),
      (err: Error) => cb(err),
    );
  }

  private piece(index: number, start: number, length: number): Promise<Buffer> {
    const known = this.pieces.get(index);
    if (known) {
      this.pieces.delete(index);
      this.pieces.set(index, known);
      return known;
    }
    const reading = this.readPiece(start, length);
    this.pieces.set(index, reading);
    reading.catch(() => this.pieces.delete(index));
    while (this.pieces.size > PIECES_KEPT) this.pieces.delete(this.pieces.keys().next().value!);
    return reading;
  }

  /** Bytes [position, position + length) from a block kept in the shared blocks, or undefined. */
  private sharedBlock(position: number, length: number): Buffer | undefined {
    const blocks = this.blocks;
    if (!blocks || !this.version || this.closed) return undefined;
    const index = Math.floor(position / blocks.blockSize);
    const at = position - index * blocks.blockSize;
    if (at + length > blocks.blockSize) return undefined;
    const block = blocks.block(this.path, this.version, index);
    if (!block || at + length > block.length) return undefined;
    return block.subarray(at, at + length);
  }

  /** A piece: from (or through) the shared block that holds it when there is one, else read alone. */
  private async readPiece(start: number, length: number): Promise<Buffer> {
    const blocks = this.blocks;
    if (!blocks || length > blocks.blockSize) return this.read(start, length);
    const { version } = await this.open();
    const kept = this.sharedBlock(start, length);
    if (kept) return kept;
    const index = Math.floor(start / blocks.blockSize);
    const blockStart = index * blocks.blockSize;
    if (start + length > blockStart + blocks.blockSize || !blocks.admit(this.path, version, index)) return this.read(start, length);
    const block = await this.read(blockStart, Math.min(blocks.blockSize, version.size - blockStart));
    // the file changed under the read (or since it was opened): keep nothing, answer what was read
    if (!this.closed && this.version === version) blocks.store(this.path, version, index, block);
    return block.subarray(start - blockStart, start - blockStart + length);
  }

  private open(): Promise<{ file: FileHandle; version: FileVersion }> {
    if (!this.handle) {
      const opening = open(this.path, 'r').then(async (file) => {
        try {
          const st = await file.stat();
          const version: FileVersion = { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
          if (this.handle === opening) this.version = version;
          return { file, version };
        } catch (err) {
          await file.close().catch(() => undefined);
          throw err;
        }
      });
      this.handle = opening;
      opening.catch(() => {
        if (this.handle === opening) this.handle = null;
      });
    }
    return this.handle;
  }

  close(callback: Callback = () => {}): void {
    this.closed = true;
    this.pieces.clear();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const handle = this.handle;
    this.handle = null;
    this.version = null;
    if (!handle) return queueMicrotask(() => callback(null));
    handle
      .then((h) => h.file.close())
      .then(
        () => callback(null),
        () => callback(null),
      );
  }

  /** Closes only: the file belongs to the static storage, not to the torrent. */
  destroy(callback: Callback = () => {}): void {
    this.close(callback);
  }

  private async read(position: number, length: number): Promise<Buffer> {
    this.reads++;
    try {
      const handle = (await this.open()).file;
      const buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
        if (bytesRead === 0) throw new Error(`${this.path} is shorter than its torrent says`);
        filled += bytesRead;
      }
      return buffer;
    } finally {
      this.reads--;
      this.scheduleIdleClose();
    }
  }

  private scheduleIdleClose(): void {
    if (this.closed) return;
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.reads > 0 || this.closed) return this.scheduleIdleClose();
      const handle = this.handle;
      this.handle = null;
      this.version = null;
      this.pieces.clear();
      void handle?.then((h) => h.file.close()).catch(() => undefined);
    }, IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }
}
