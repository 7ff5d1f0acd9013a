import type { BencodeDict } from './bencode-decode.js';

/**
 * What `encodeBencode` writes. A decoded dictionary (`BencodeDict`, from decodeBencode) is written
 * as its original bytes (`raw`), unchanged: that is how a .torrent's info dictionary is carried
 * over without changing its infohash. A `Map` is a new dictionary (keys sorted as BEP 3 requires);
 * strings are written as UTF-8.
 */
export type BencodeInput = number | string | Uint8Array | readonly BencodeInput[] | ReadonlyMap<string, BencodeInput> | BencodeDict;

/** Bencodes (BEP 3) a value. Throws on a non-integer number (a bug of the caller, not an input). */
export function encodeBencode(value: BencodeInput): Buffer {
  const out: Buffer[] = [];
  write(value, out);
  return Buffer.concat(out);
}

function write(value: BencodeInput, out: Buffer[]): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`bencode has integers only: ${value}`);
    out.push(Buffer.from(`i${value}e`, 'latin1'));
  } else if (typeof value === 'string') {
    writeBytes(Buffer.from(value, 'utf8'), out);
  } else if (value instanceof Uint8Array) {
    writeBytes(value, out);
  } else if (isList(value)) {
    out.push(Buffer.from('l', 'latin1'));
    for (const item of value) write(item, out);
    out.push(Buffer.from('e', 'latin1'));
  } else if (value instanceof Map) {
    const entries = [...(value as ReadonlyMap<string, BencodeInput>)].map(([key, v]) => [Buffer.from(key, 'utf8'), v] as const);
    entries.sort(([a], [b]) => Buffer.compare(a, b));
    out.push(Buffer.from('d', 'latin1'));
    for (const [key, v] of entries) {
      writeBytes(key, out);
      write(v, out);
    }
    out.push(Buffer.from('e', 'latin1'));
  } else {
    out.push(Buffer.from((value as BencodeDict).raw));
  }
}

function writeBytes(bytes: Uint8Array, out: Buffer[]): void {
  out.push(Buffer.from(`${bytes.length}:`, 'latin1'), Buffer.from(bytes));
}

function isList(value: BencodeInput): value is readonly BencodeInput[] {
  return Array.isArray(value);
}
