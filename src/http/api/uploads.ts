import Router from '@koa/router';
import type Koa from 'koa';
import type { ResumableRefusal, ResumableUploads } from '../../videos/upload/resumable-uploads.js';
import { parseContentRange } from '../../videos/upload/resumable-uploads.js';
import { collectFormFields, uploadMetadataSchema } from '../../videos/upload/upload-metadata.js';
import { receiveMultipart } from '../../videos/upload/receive-multipart.js';
import type { VideoService } from '../../videos/video-service.js';
import type { Auth } from '../auth.js';
import { currentUser } from '../auth.js';
import { validate } from '../middleware.js';
import { Problem } from '../problem.js';
import { FORWARDED_HEADER, forwardToNode } from './forward-to-node.js';

/** Maps an upload refusal to PeerTube's status and error code. */
function refusalProblem(reason: ResumableRefusal): Problem {
  switch (reason.type) {
    case 'not-your-channel':
      return new Problem(403, reason.message);
    case 'quota-reached':
      return new Problem(413, reason.message, 'quota_reached');
    case 'too-large':
      return new Problem(413, reason.message, 'max_file_size_reached');
    case 'unreadable-media':
      return new Problem(422, reason.message, 'video_file_unreadable');
    case 'unknown-upload':
      return new Problem(404, reason.message);
    case 'bad-range':
      return new Problem(400, reason.message);
    case 'chunk-mismatch':
    case 'busy':
      return new Problem(409, reason.message);
    case 'processing':
      return new Problem(503, reason.message);
    case 'elsewhere':
      return new Problem(503, reason.message);
  }
}

/** POST /videos/upload (multipart) and PeerTube's resumable protocol on /videos/upload-resumable. */
export function uploadsRouter(deps: {
  videos: VideoService;
  resumable: ResumableUploads;
  auth: Auth;
  tmpDir: string;
  maxFileSize: number;
  countUpload(protocol: 'multipart' | 'resumable', outcome: 'accepted' | 'refused'): void;
  /**
   * Several nodes on one database: the internal URL of the running node with this worker id (null
   * when it is not running), and this node's id. A chunk or cancel of an upload whose file another
   * node holds is forwarded there. Absent: one process.
   */
  cluster?: { self: string; urlOf(node: string): Promise<string | null> };
}): Router {
  const { auth } = deps;
  const router = new Router();

  router.post('/videos/upload', auth.required, async (ctx) => {
    const user = currentUser(ctx);
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > deps.maxFileSize + 1024 * 1024) {
      throw new Problem(413, `the upload is larger than the limit of ${deps.maxFileSize} bytes`, 'max_file_size_reached');
    }
    const received = await receiveMultipart(ctx.req, { tmpDir: deps.tmpDir, fileField: 'videofile', maxFileSize: deps.maxFileSize });
    if (!received.ok) {
      const r = received.reason;
      if (r.type === 'too-large') throw new Problem(413, r.message, 'max_file_size_reached');
      throw new Problem(r.type === 'not-multipart' ? 415 : 400, r.message);
    }
    let metadata;
    try {
      metadata = validate(uploadMetadataSchema, collectFormFields(received.fields), 'video metadata');
    } catch (err) {
      await deps.videos.discard(received.file.path);
      throw err;
    }
    const accepted = await deps.videos.acceptUpload(user.id, metadata, received.file);
    deps.countUpload('multipart', accepted.ok ? 'accepted' : 'refused');
    if (!accepted.ok) throw refusalProblem(accepted.reason);
    ctx.body = { video: accepted.value };
  });

  /** The upload's file is on node `owner`: its chunk (or cancel) is answered there, once (never forwarded on). */
  const forwardTo = async (ctx: Koa.Context, owner: string): Promise<void> => {
    const cluster = deps.cluster;
    const from = ctx.get(FORWARDED_HEADER);
    if (!cluster || from) throw new Problem(503, `the upload is received by another node (${owner}) that this node cannot reach; retry later`);
    const baseUrl = await cluster.urlOf(owner);
    if (!baseUrl) throw new Problem(503, `the node holding this upload (${owner}) is not running; retry later`);
    await forwardToNode(ctx, { baseUrl, node: owner, from: cluster.self });
  };

  const uploadId = (ctx: Koa.Context): string => {
    const id = ctx.query.upload_id;
    if (typeof id !== 'string' || id === '') throw new Problem(400, 'missing upload_id query parameter');
    return id;
  };

  router.post('/videos/upload-resumable', auth.required, async (ctx) => {
    const user = currentUser(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const metadata = validate(uploadMetadataSchema, body, 'video metadata');
    const size = Number(ctx.get('x-upload-content-length'));
    if (!Number.isSafeInteger(size) || size <= 0) throw new Problem(400, 'X-Upload-Content-Length header must give the file size in bytes');
    const filename = typeof body.filename === 'string' && body.filename ? body.filename : 'video';
    const init = await deps.resumable.init(user.id, metadata, { filename, size, mimeType: ctx.get('x-upload-content-type') || null });
    if (!init.ok) throw refusalProblem(init.reason);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/videos/upload-resumable?upload_id=${init.value.id}`);
    ctx.set('Content-Length', '0');
    ctx.body = '';
  });

  router.put('/videos/upload-resumable', auth.required, async (ctx) => {
    const user = currentUser(ctx);
    const id = uploadId(ctx);
    const range = parseContentRange(ctx.get('content-range'));
    if (!range) throw new Problem(400, 'Content-Range header must be "bytes <start>-<end>/<total>" or "bytes */<total>"');
    if ('query' in range) {
      const status = await deps.resumable.received(user.id, id);
      if (!status.ok) throw refusalProblem(status.reason);
      answerIncomplete(ctx, status.value.received);
      return;
    }
    const declared = ctx.get('content-length');
    const result = await deps.resumable.writeChunk(user.id, id, range, ctx.req, /^\d+$/.test(declared) ? Number(declared) : undefined);
    if (!result.ok && result.reason.type === 'elsewhere') {
      await forwardTo(ctx, result.reason.owner);
      return;
    }
    if (!result.ok && result.reason.type === 'unreadable-media') deps.countUpload('resumable', 'refused');
    // PeerTube: ask to retry after 5 minutes, knowing the upload id is kept a while after completion
    if (!result.ok && result.reason.type === 'processing') ctx.set('Retry-After', '300');
    if (!result.ok) throw refusalProblem(result.reason);
    if (result.value.status === 'complete') deps.countUpload('resumable', 'accepted');
    if (result.value.status === 'incomplete') {
      answerIncomplete(ctx, result.value.received);
      return;
    }
    ctx.status = 200;
    ctx.body = { video: result.value.video };
  });

  router.delete('/videos/upload-resumable', auth.required, async (ctx) => {
    const cancelled = await deps.resumable.cancel(currentUser(ctx).id, uploadId(ctx));
    if (typeof cancelled === 'object') {
      await forwardTo(ctx, cancelled.elsewhere);
      return;
    }
    if (cancelled === 'unknown') throw new Problem(404, 'unknown upload id');
    if (cancelled === 'processing') throw new Problem(409, 'The upload is already being processed: it cannot be cancelled any more');
    ctx.status = 204;
  });
  return router;
}

/** 308 "Resume Incomplete" with the bytes we have, as node-uploadx answers. */
function answerIncomplete(ctx: Koa.Context, received: number): void {
  ctx.status = 308;
  if (received > 0) ctx.set('Range', `bytes=0-${received - 1}`);
  ctx.set('Content-Length', '0');
  ctx.body = '';
}
