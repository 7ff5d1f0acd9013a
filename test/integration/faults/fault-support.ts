import { request } from 'node:http';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Instance } from '../../../src/instance.js';

/** Every file under a folder (relative paths, sorted), skipping the embedded database and the worker id. */
export async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (rel === 'db' || rel.startsWith('db/') || rel === 'worker-id') continue;
      if (entry.isDirectory()) await walk(path);
      else out.push(rel);
    }
  }
  await walk(root);
  return out.sort();
}

/** Size of a file, or -1 when it does not exist. */
export async function sizeOf(path: string): Promise<number> {
  return stat(path).then((s) => s.size, () => -1);
}

/** Rows an upload or a transcode may leave: videos, files, playlists, upload sessions, transcoding jobs by state. */
export async function uploadRows(instance: Instance): Promise<Record<string, number>> {
  const p = instance.prisma;
  const [videos, files, playlists, sessions, jobs] = await Promise.all([
    p.video.count(),
    p.videoFile.count(),
    p.videoStreamingPlaylist.count(),
    p.uploadSession.count(),
    p.job.groupBy({ by: ['state'], where: { kind: 'video-transcoding' }, _count: { _all: true } }),
  ]);
  const byState = Object.fromEntries(jobs.map((j) => [`jobs.${j.state}`, j._count._all]));
  return { videos, files, playlists, sessions, ...byState };
}

/** /healthz answers 200: the process is alive and serving. */
export async function healthy(base: string): Promise<boolean> {
  const res = await fetch(`${base}/healthz`).catch(() => null);
  return res?.status === 200;
}

/**
 * Sends the start of a request body (`sent` bytes of `body`) with the headers of the whole, then
 * destroys the socket: a client that goes away mid-upload. Resolves once the socket is closed.
 */
export function abortedRequest(options: { url: string; method: string; headers: Record<string, string>; body: Buffer; sent: number }): Promise<void> {
  return new Promise((resolve) => {
    const req = request(options.url, { method: options.method, headers: { ...options.headers, 'content-length': String(options.body.length) } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.write(options.body.subarray(0, options.sent), () => {
      // let the server read what was sent, then vanish
      setImmediate(() => req.destroy());
    });
  });
}

/** A multipart/form-data body with text fields and one file (as a browser sends it). */
export function multipartBody(fields: Record<string, string>, file: { field: string; name: string; bytes: Buffer }): { body: Buffer; contentType: string } {
  const boundary = `----mirrortube${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: video/mp4\r\n\r\n`));
  parts.push(file.bytes);
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface OpenRequest {
  /** writes part of the body; resolves once it is handed to the socket */
  write(bytes: Buffer): Promise<void>;
  end(): void;
  /** the answer (status, headers, text), or null when the connection died without one */
  response: Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string } | null>;
}

/** A request whose body is sent in pieces (chunked, no Content-Length unless given), under the test's control. */
export function openRequest(options: { url: string; method: string; headers: Record<string, string> }): OpenRequest {
  const req = request(options.url, { method: options.method, headers: options.headers });
  const response = new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string } | null>((resolve) => {
    req.on('error', () => resolve(null));
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', () => resolve(null));
    });
  });
  return {
    write: (bytes) => new Promise((resolve) => req.write(bytes, () => resolve())),
    end: () => req.end(),
    response,
  };
}

/** Sends a whole body (chunked unless `contentLength` is set) and returns the answer. */
export async function sendBody(options: { url: string; method: string; headers: Record<string, string>; body: Buffer }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string } | null> {
  const open = openRequest(options);
  const piece = 256 * 1024;
  for (let i = 0; i < options.body.length; i += piece) await open.write(options.body.subarray(i, i + piece));
  open.end();
  return open.response;
}
