import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's fixed credentials. */
export const S3_CREDENTIALS = { access_key_id: 'S3RVER', secret_access_key: 'S3RVER' };

export interface TestS3 {
  endpoint: string;
  /** every key of a bucket (under a prefix) */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  put(bucket: string, key: string, body: string): Promise<void>;
  /** the keys of the multipart uploads in progress in a bucket (S3's ListMultipartUploads) */
  pendingUploads(bucket: string): Promise<string[]>;
  /** the object_storage config of an instance using buckets `<name>-playlists`, `<name>-videos`, `<name>-copies` (and `<name>-thumbnails`, `<name>-torrents` when `extras`) */
  configFor(name: string, options?: { playlistsBaseUrl?: boolean; webVideosBaseUrl?: boolean; extras?: boolean }): Record<string, unknown>;
  close(): Promise<void>;
}

/** A real S3 API server (s3rver) on 127.0.0.1, a free port, its files in a temporary folder, with the buckets of the named instances. */
export async function startTestS3(instances: string[]): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'mirrortube-s3-'));
  const buckets = instances.flatMap((n) => [`${n}-playlists`, `${n}-videos`, `${n}-copies`, `${n}-thumbnails`, `${n}-torrents`]);
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
  // s3rver answers NotImplemented to ListMultipartUploads and 405 to AbortMultipartUpload: both are
  // added here over its own store of parts (<directory>/<bucket>/._S3rver_uploads/<uploadId>/)
  server.middleware.unshift(multipartListing(directory));
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3_CREDENTIALS.access_key_id, secretAccessKey: S3_CREDENTIALS.secret_access_key },
  });
  return {
    endpoint,
    async keys(bucket, prefix = '') {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
        keys.push(...(out.Contents ?? []).map((c) => c.Key!));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async put(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async pendingUploads(bucket) {
      const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      return (out.Uploads ?? []).map((u) => u.Key!).sort();
    },
    configFor(name, options = {}) {
      return {
        enabled: true,
        endpoint,
        region: 'us-east-1',
        credentials: S3_CREDENTIALS,
        streaming_playlists: { bucket_name: `${name}-playlists`, prefix: '', base_url: options.playlistsBaseUrl ? `${endpoint}/${name}-playlists` : '' },
        web_videos: { bucket_name: `${name}-videos`, prefix: '', base_url: options.webVideosBaseUrl ? `${endpoint}/${name}-videos` : '' },
        redundancy: { bucket_name: `${name}-copies`, prefix: '', base_url: '' },
        ...(options.extras
          ? {
              thumbnails: { enabled: true, bucket_name: `${name}-thumbnails`, prefix: '', base_url: `${endpoint}/${name}-thumbnails` },
              torrents: { enabled: true, bucket_name: `${name}-torrents`, prefix: '', base_url: `${endpoint}/${name}-torrents` },
            }
          : {}),
      };
    },
    async close() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
}

/** ListMultipartUploads (`GET /<bucket>?uploads`) and AbortMultipartUpload (`DELETE /<bucket>/<key>?uploadId=`), path style, over s3rver's store. */
function multipartListing(directory: string) {
  const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return async (ctx: KoaContext, next: () => Promise<void>) => {
    const [bucket = '', ...rest] = ctx.path.slice(1).split('/').map(decodeURIComponent);
    const keyParts = rest.join('/') === '' ? [] : rest;
    const uploadsDir = join(directory, bucket, '._S3rver_uploads');
    if (ctx.method === 'GET' && keyParts.length === 0 && 'uploads' in ctx.query) {
      const prefix = typeof ctx.query.prefix === 'string' ? ctx.query.prefix : '';
      const entries: string[] = [];
      for (const id of await readdir(uploadsDir).catch(() => [] as string[])) {
        const key = await readFile(join(uploadsDir, id, 'key'), 'utf8').catch(() => null);
        if (key === null || !key.startsWith(prefix)) continue;
        const initiated = (await stat(join(uploadsDir, id))).birthtime.toISOString();
        entries.push(`<Upload><Key>${xml(key)}</Key><UploadId>${xml(id)}</UploadId><Initiated>${initiated}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`);
      }
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xml(bucket)}</Bucket><Prefix>${xml(prefix)}</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${entries.join('')}</ListMultipartUploadsResult>`;
      return;
    }
    const uploadId = ctx.query.uploadId;
    if (ctx.method === 'DELETE' && keyParts.length > 0 && typeof uploadId === 'string') {
      const dir = join(uploadsDir, uploadId);
      const key = await readFile(join(dir, 'key'), 'utf8').catch(() => null);
      if (key !== keyParts.join('/')) {
        ctx.status = 404;
        ctx.type = 'application/xml';
        ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>';
        return;
      }
      await rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    await next();
  };
}
