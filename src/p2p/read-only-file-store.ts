import { open, type FileHandle } from 'node:fs/promises';

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
 */
export class ReadOnlyFileStore {
  readonly chunkLength: number;
  private readonly length: number;
  private readonly path: string;
  private handle: Promise<FileHandle> | null = null;
  private reads = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** recently read whole pieces, oldest first (pending reads included, so concurrent blocks share one) */
  private readonly pieces = new Map<number, Promise<Buffer>>();

  constructor(chunkLength: number, options: { path: string; length: number }) {
    this.chunkLength = chunkLength;
    this.path = options.path;
    this.length = options.length;
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
    const reading = this.read(start, length);
    this.pieces.set(index, reading);
    reading.catch(() => this.pieces.delete(index));
    while (this.pieces.size > PIECES_KEPT) this.pieces.delete(this.pieces.keys().next().value!);
    return reading;
  }

  close(callback: Callback = () => {}): void {
    this.closed = true;
    this.pieces.clear();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const handle = this.handle;
    this.handle = null;
    if (!handle) return queueMicrotask(() => callback(null));
    handle
      .then((h) => h.close())
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
      if (!this.handle) {
        this.handle = open(this.path, 'r');
        this.handle.catch(() => {
          this.handle = null;
        });
      }
      const handle = await this.handle;
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
      this.pieces.clear();
      void handle?.then((h) => h.close()).catch(() => undefined);
    }, IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }
}
