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

/** How long a failed upload waits for its file write to settle before removing the partial file anyway. */
const WRITE_SETTLE_MS = 5_000;

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
  /** the request failed: a file part the parser still announces is not written */
  let abandoned = false;
  const writes: Promise<void>[] = [];
  const tmpPath = join(options.tmpDir, randomUUID());

  parser.on('field', (name, value) => fields.push([name, value]));
  parser.on('file', (name, stream, info) => {
    if (name !== options.fileField || file || abandoned) {
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
    // A client that goes away mid-body ends here. The partial file goes once its write has settled
    // (its rejection handled here, never left unhandled; no open lands after the removal), and in
    // any case after WRITE_SETTLE_MS: a write that is slow to settle does not keep it on disk.
    abandoned = true;
    const settled = Promise.allSettled(writes).then(() => rm(tmpPath, { force: true }));
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, WRITE_SETTLE_MS);
      timer.unref();
    });
    await Promise.race([settled, waited.then(() => rm(tmpPath, { force: true }))]);
    clearTimeout(timer);
    settled.catch(() => undefined);
    return { ok: false, reason: { type: 'malformed', message: `could not read the upload: ${(err as Error).message}` } };
  }
  if (tooLarge) {
    await rm(tmpPath, { force: true });
    return { ok: false, reason: { type: 'too-large', message: `the file is larger than the limit of ${options.maxFileSize} bytes` } };
  }
  if (!file) return { ok: false, reason: { type: 'missing-file', message: `the "${options.fileField}" file field is missing` } };
  return { ok: true, fields, file };
}
