import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';

export interface ReceivedFile {
  path: string;
  size: number;
  originalName: string;
  mimeType: string;
}

export type MultipartRefusal =
  | { type: 'not-multipart'; message: string }
  | { type: 'too-large'; message: string }
  | { type: 'missing-file'; message: string }
  | { type: 'malformed'; message: string };

export type MultipartResult =
  | { ok: true; fields: [string, string][]; file: ReceivedFile }
  | { ok: false; reason: MultipartRefusal };

/**
 * Streams a multipart/form-data request to a temporary file (field `fileField`), never holding the
 * video in memory. Stops at `maxFileSize` bytes. On any refusal the partial file is removed.
 */
export async function receiveMultipart(
  req: IncomingMessage,
  options: { tmpDir: string; fileField: string; maxFileSize: number; maxFields?: number },
): Promise<MultipartResult> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    return { ok: false, reason: { type: 'not-multipart', message: 'expected a multipart/form-data body' } };
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { fileSize: options.maxFileSize, files: 1, fields: options.maxFields ?? 50, fieldSize: 64 * 1024 } });
  } catch (err) {
    return { ok: false, reason: { type: 'malformed', message: (err as Error).message } };
  }
  const fields: [string, string][] = [];
  let file: ReceivedFile | undefined;
  let tooLarge = false;
  const writes: Promise<void>[] = [];
  const tmpPath = join(options.tmpDir, randomUUID());

  parser.on('field', (name, value) => fields.push([name, value]));
  parser.on('file', (name, stream, info) => {
    if (name !== options.fileField || file) {
      stream.resume();
      return;
    }
    const received: ReceivedFile = { path: tmpPath, size: 0, originalName: info.filename ?? 'video', mimeType: info.mimeType };
    file = received;
    stream.on('data', (chunk: Buffer) => {
      received.size += chunk.length;
    });
    stream.on('limit', () => {
      tooLarge = true;
    });
    writes.push(pipeline(stream, createWriteStream(tmpPath)));
  });

  try {
    await pipeline(req, parser);
    await Promise.all(writes);
  } catch (err) {
    // A client that goes away mid-body ends here: wait until the file write has settled too (its
    // rejection is handled here, never left unhandled, and no write lands after the removal).
    await Promise.allSettled(writes);
    await rm(tmpPath, { force: true });
    return { ok: false, reason: { type: 'malformed', message: `could not read the upload: ${(err as Error).message}` } };
  }
  if (tooLarge) {
    await rm(tmpPath, { force: true });
    return { ok: false, reason: { type: 'too-large', message: `the file is larger than the limit of ${options.maxFileSize} bytes` } };
  }
  if (!file) return { ok: false, reason: { type: 'missing-file', message: `the "${options.fileField}" file field is missing` } };
  return { ok: true, fields, file };
}
