import { fail, ok } from '../lib/result.js';
import type { Result } from '../lib/result.js';

/**
 * A small, strict-enough bencode decoder (BEP 3) for reading .torrent files, ours or remote ones.
 * Dictionaries keep the exact bytes they were decoded from (`raw`), because an infohash is the
 * SHA-1 of the info dictionary *as encoded in the file*, not of a re-encoding.
 */

export type BencodeValue = number | Uint8Array | BencodeValue[] | BencodeDict;

export interface BencodeDict {
  kind: 'dict';
  entries: Map<string, BencodeValue>;
  /** The dictionary's bytes, `d` … `e` included (a view into the input, not a copy). */
  raw: Uint8Array;
}

export type BencodeError =
  | 'truncated'
  | 'unexpected-byte'
  | 'invalid-integer'
  | 'invalid-string-length'
  | 'too-deep'
  | 'trailing-bytes';

export interface BencodeFailure {
  type: BencodeError;
  /** Byte offset where decoding stopped. */
  offset: number;
}

export type BencodeResult = Result<BencodeValue, BencodeFailure>;

const MAX_DEPTH = 64;
const CHAR_D = 0x64; // d
const CHAR_E = 0x65; // e
const CHAR_I = 0x69; // i
const CHAR_L = 0x6c; // l
const CHAR_COLON = 0x3a;
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;

class DecodeFailure {
  constructor(
    readonly reason: BencodeError,
    readonly offset: number,
  ) {}
}

export function decodeBencode(input: Uint8Array): BencodeResult {
  const decoder = new Decoder(input);
  try {
    const value = decoder.value(0);
    if (decoder.position !== input.length) return fail({ type: 'trailing-bytes', offset: decoder.position });
    return ok(value);
  } catch (error) {
    if (error instanceof DecodeFailure) return fail({ type: error.reason, offset: error.offset });
    throw error;
  }
}

export function isBencodeDict(value: BencodeValue | undefined): value is BencodeDict {
  return typeof value === 'object' && !(value instanceof Uint8Array) && !Array.isArray(value);
}

class Decoder {
  position = 0;

  constructor(private readonly input: Uint8Array) {}

  value(depth: number): BencodeValue {
    if (depth > MAX_DEPTH) this.fail('too-deep');
    const byte = this.peek();
    if (byte === CHAR_I) return this.integer();
    if (byte === CHAR_L) return this.list(depth);
    if (byte === CHAR_D) return this.dict(depth);
    if (byte >= CHAR_0 && byte <= CHAR_9) return this.bytes();
    return this.fail('unexpected-byte');
  }

  private integer(): number {
    this.position++; // i
    const end = this.input.indexOf(CHAR_E, this.position);
    if (end < 0) this.fail('truncated');
    const text = Buffer.from(this.input.subarray(this.position, end)).toString('latin1');
    // No leading zeros, no "-0", digits only.
    if (!/^(?:0|-?[1-9][0-9]*)$/.test(text)) this.fail('invalid-integer');
    const value = Number(text);
    if (!Number.isSafeInteger(value)) this.fail('invalid-integer');
    this.position = end + 1;
    return value;
  }

  private bytes(): Uint8Array {
    const colon = this.input.indexOf(CHAR_COLON, this.position);
    if (colon < 0) this.fail('truncated');
    const text = Buffer.from(this.input.subarray(this.position, colon)).toString('latin1');
    if (!/^(?:0|[1-9][0-9]*)$/.test(text)) this.fail('invalid-string-length');
    const length = Number(text);
    const start = colon + 1;
    if (!Number.isSafeInteger(length) || start + length > this.input.length) this.fail('truncated');
    this.position = start + length;
    return this.input.subarray(start, start + length);
  }

  private list(depth: number): BencodeValue[] {
    this.position++; // l
    const items: BencodeValue[] = [];
    while (this.peek() !== CHAR_E) items.push(this.value(depth + 1));
    this.position++; // e
    return items;
  }

  private dict(depth: number): BencodeDict {
    const start = this.position;
    this.position++; // d
    const entries = new Map<string, BencodeValue>();
    while (this.peek() !== CHAR_E) {
      const keyByte = this.peek();
      if (keyByte < CHAR_0 || keyByte > CHAR_9) this.fail('unexpected-byte');
      const key = Buffer.from(this.bytes()).toString('utf8');
      entries.set(key, this.value(depth + 1));
    }
    this.position++; // e
    return { kind: 'dict', entries, raw: this.input.subarray(start, this.position) };
  }

  private peek(): number {
    const byte = this.input[this.position];
    if (byte === undefined) this.fail('truncated');
    return byte;
  }

  private fail(reason: BencodeError): never {
    throw new DecodeFailure(reason, this.position);
  }
}
