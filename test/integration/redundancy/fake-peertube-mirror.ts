import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generateActorKeyPair, signRequest } from '../../../src/federation/signatures/index.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

/**
 * A stand-in for a PeerTube 6.3 instance that mirrors one of our videos, built from its real
 * traffic (session-2): its instance actor document (the captured one, on this server's address,
 * with a key of ours), its redundancy storage served as PeerTube serves it (plain static files
 * with Range: `/static/redundancy/<file>.mp4` for web videos, `/static/redundancy/hls/<uuid>/`
 * holding only the `*-fragmented.mp4` files), and its captured `Create CacheFile` bodies, adapted
 * to the test's hosts, posted with PeerTube's HTTP signature (keyId = the bare actor URL).
 */
export interface FakePeerTubeMirror {
  readonly base: string;
  readonly actorUrl: string;
  /** `/static/redundancy/...` paths requested, in order */
  readonly requested: string[];
  /** serves `bytes` at `/static/redundancy/<path>` (`hls/<uuid>/<name>` or `<name>`) */
  put(path: string, bytes: Buffer): void;
  /** a captured session-2 request body, hosts, uuid and file facts replaced */
  captured(seq: number, replace: CaptureReplacements): Record<string, unknown>;
  /** posts an activity to `inboxUrl`, HTTP-signed as PeerTube signs */
  post(inboxUrl: string, activity: unknown): Promise<Response>;
  close(): Promise<void>;
}

export interface CaptureReplacements {
  /** our instance's base URL (mirrortube was `http://localhost:19500` in the capture) */
  readonly origin: string;
  /** our video's uuid (the captured one was `8fffed66-…`) */
  readonly uuid: string;
  /** for web-video CacheFiles: the real size and fps of our file */
  readonly file?: { readonly size: number; readonly fps: number };
}

const CAPTURED_PEERTUBE = 'http://localhost:9000';
const CAPTURED_MIRRORTUBE = 'http://localhost:19500';
const CAPTURED_UUID = '8fffed66-eb54-40dc-91c4-f4f4a3c92d5b';

const capturedBodies = (() => {
  let lines: Map<number, string> | undefined;
  return () => {
    lines ??= new Map(
      readFileSync(join(PEERTUBE_REAL_DIR, 'session-2', 'to-mirrortube.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { seq: number; requestBody: string })
        .map((e) => [e.seq, e.requestBody]),
    );
    return lines;
  };
})();

export async function startFakePeerTubeMirror(): Promise<FakePeerTubeMirror> {
  const keys = await generateActorKeyPair();
  const files = new Map<string, Buffer>();
  const requested: string[] = [];
  let base = '';
  const actorDocument = () => {
    const doc = JSON.parse(readFileSync(join(PEERTUBE_REAL_DIR, 'session-2', 'pt-actor-instance-peertube.json'), 'utf8').replaceAll(CAPTURED_PEERTUBE, base)) as {
      publicKey: { publicKeyPem: string };
    };
    doc.publicKey.publicKeyPem = keys.publicKeyPem;
    return doc;
  };

  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/accounts/peertube') {
      res.writeHead(200, { 'content-type': 'application/activity+json; charset=utf-8' }).end(JSON.stringify(actorDocument()));
      return;
    }
    const prefix = '/static/redundancy/';
    const bytes = path.startsWith(prefix) ? files.get(path.slice(prefix.length)) : undefined;
    if (path.startsWith(prefix)) requested.push(path);
    if (!bytes) {
      res.writeHead(404).end();
      return;
    }
    const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!match) {
      res.writeHead(200, { 'content-length': String(bytes.length), 'accept-ranges': 'bytes', 'content-type': 'video/mp4' }).end(bytes);
      return;
    }
    const start = Number(match[1]);
    const end = Math.min(match[2] ? Number(match[2]) : bytes.length - 1, bytes.length - 1);
    if (start >= bytes.length) {
      res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
      return;
    }
    res
      .writeHead(206, { 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'accept-ranges': 'bytes', 'content-type': 'video/mp4' })
      .end(bytes.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const actorUrl = `${base}/accounts/peertube`;

  return {
    base,
    actorUrl,
    requested,
    put: (path, bytes) => void files.set(path, bytes),
    captured(seq, r) {
      const raw = capturedBodies().get(seq);
      if (raw === undefined) throw new Error(`no request ${seq} in session-2`);
      const body = JSON.parse(raw.replaceAll(CAPTURED_PEERTUBE, base).replaceAll(CAPTURED_MIRRORTUBE, r.origin).replaceAll(CAPTURED_UUID, r.uuid)) as Record<string, unknown>;
      // the LD signature covered the captured text: it cannot survive the rewrite (the HTTP signature vouches)
      delete body.signature;
      const url = (body.object as { url?: Record<string, unknown> } | undefined)?.url;
      if (r.file && url && url.mediaType === 'video/mp4') Object.assign(url, { size: r.file.size, fps: r.file.fps });
      return body;
    },
    async post(inboxUrl, activity) {
      const body = JSON.stringify(activity);
      const signed = signRequest({ method: 'POST', url: inboxUrl, body, keyId: actorUrl, privateKeyPem: keys.privateKeyPem, now: new Date() });
      return fetch(inboxUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/activity+json', date: signed.Date, digest: signed.Digest!, signature: signed.Signature, 'user-agent': `PeerTube/6.3.0 (+${base})` },
        body,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The fragmented MP4s of our video's HLS folder: what a PeerTube HLS mirror holds (no playlist, no hashes). */
export async function fragmentedFiles(hlsDir: string, names: readonly string[]): Promise<{ name: string; bytes: Buffer }[]> {
  return Promise.all(names.filter((n) => n.endsWith('-fragmented.mp4')).map(async (name) => ({ name, bytes: await readFile(join(hlsDir, name)) })));
}
