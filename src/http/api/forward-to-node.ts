import { request } from 'node:http';
import { request as requestTls } from 'node:https';
import type Koa from 'koa';
import { Problem } from '../problem.js';

/** Marks a request one node forwarded to another: the receiver answers it itself, never forwards it again. */
export const FORWARDED_HEADER = 'x-mirrortube-forwarded-by';

/** Request headers that describe this hop only. */
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
/** Answer headers passed back to the client. */
const ANSWER_HEADERS = ['content-type', 'content-length', 'location', 'range', 'retry-after', 'cache-control'];

/**
 * Forwards the request as it came (method, path and query, headers, the body not yet read) to
 * another node of the cluster at `baseUrl`, and answers with its answer. For a resumable upload
 * whose file lives on that node. A node that cannot be reached is a 503 the client retries.
 */
export async function forwardToNode(ctx: Koa.Context, target: { baseUrl: string; node: string; from: string }): Promise<void> {
  const url = new URL(ctx.originalUrl, `${target.baseUrl}/`);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(ctx.req.headers)) {
    if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value;
  }
  headers[FORWARDED_HEADER] = target.from;
  const answer = await new Promise<{ status: number; headers: Record<string, string>; body: Buffer } | null>((resolve) => {
    const send = url.protocol === 'https:' ? requestTls : request;
    const outbound = send(url, { method: ctx.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const kept: Record<string, string> = {};
        for (const name of ANSWER_HEADERS) {
          const value = res.headers[name];
          if (typeof value === 'string') kept[name] = value;
        }
        resolve({ status: res.statusCode ?? 502, headers: kept, body: Buffer.concat(chunks) });
      });
      res.on('error', () => resolve(null));
    });
    outbound.on('error', () => resolve(null));
    ctx.req.on('error', () => outbound.destroy());
    // the client went away mid-chunk: the owner node sees the cut too, and keeps what arrived
    ctx.req.on('aborted', () => outbound.destroy());
    ctx.req.pipe(outbound);
  });
  if (!answer) throw new Problem(503, `the node holding this upload (${target.node}) did not answer; retry later`);
  ctx.status = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) if (name !== 'content-length') ctx.set(name, value);
  ctx.body = answer.body;
  if (answer.body.length === 0 && answer.headers['content-type'] === undefined) ctx.set('Content-Length', '0');
}
