import { createReadStream } from 'node:fs';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectAclCommand,
  S3Client,
  type ObjectCannedACL,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { bucketOf, cannedAcl, fullKey, isSafeKey, type ObjectStorageSettings } from './object-storage-settings.js';
import type { BucketKind, MultipartUploads, ObjectHead, ObjectInfo, ObjectStore, PendingUpload } from './object-store.js';

/** S3 refuses parts below 5 MiB (except the last). */
const MIN_PART = 5 * 1024 * 1024;

/** `https://` unless the endpoint names its scheme (PeerTube accepts `s3.example.com`). */
export function endpointUrl(endpoint: string): string {
  return /^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`;
}

/**
 * The storage port over an S3-compatible service (AWS SDK v3). Custom endpoints (MinIO, Garage,
 * Ceph RGW, s3rver) are addressed path-style; requests are retried `max_request_attempts` times;
 * files above `max_upload_part` go up in parts of that size.
 */
export function createS3ObjectStore(settings: ObjectStorageSettings): ObjectStore {
  const endpoint = endpointUrl(settings.endpoint);
  const httpAgent = new Agent({ keepAlive: true, maxSockets: 64 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });
  const client = new S3Client({
    endpoint,
    region: settings.region,
    forcePathStyle: true,
    maxAttempts: settings.max_request_attempts,
    credentials: { accessKeyId: settings.credentials.access_key_id, secretAccessKey: settings.credentials.secret_access_key },
    requestHandler: { httpAgent, httpsAgent },
  });
  const partSize = Math.max(MIN_PART, settings.max_upload_part);

  const where = (kind: BucketKind, key: string) => {
    if (!isSafeKey(key)) throw new TypeError(`unsafe object key ${JSON.stringify(key)}`);
    return { Bucket: bucketOf(settings, kind).bucket, Key: fullKey(settings, kind, key) };
  };
  const acl = (a: 'public' | 'private') => {
    const canned = cannedAcl(settings, a);
    return canned === null ? {} : { ACL: canned as ObjectCannedACL };
  };

  async function head(kind: BucketKind, key: string): Promise<ObjectHead | null> {
    try {
      const out = await client.send(new HeadObjectCommand(where(kind, key)));
      return { size: out.ContentLength ?? 0, etag: out.ETag ?? `"${out.ContentLength ?? 0}"`, lastModified: out.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async function list(kind: BucketKind, prefix: string): Promise<ObjectInfo[]> {
    const { bucket, prefix: base } = bucketOf(settings, kind);
    const found: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${base}${prefix}`, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of out.Contents ?? []) if (o.Key) found.push({ key: o.Key.slice(base.length), size: o.Size ?? 0 });
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  async function remove(kind: BucketKind, keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const out = await client.send(
        new DeleteObjectsCommand({ Bucket: bucketOf(settings, kind).bucket, Delete: { Objects: batch.map((k) => ({ Key: where(kind, k).Key })), Quiet: true } }),
      );
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) throw new Error(`object storage refused to delete ${failed.length} object(s): ${failed[0]!.Key}: ${failed[0]!.Code} ${failed[0]!.Message ?? ''}`);
    }
  }

  const multipart: MultipartUploads = {
    async list(bucket, prefix) {
      const found: PendingUpload[] = [];
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      for (;;) {
        const out = await client.send(
          new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}), ...(uploadIdMarker !== undefined ? { UploadIdMarker: uploadIdMarker } : {}) }),
        );
        for (const u of out.Uploads ?? []) {
          if (u.Key && u.UploadId) found.push({ bucket, key: u.Key, uploadId: u.UploadId, initiated: u.Initiated ?? new Date(0) });
        }
        if (!out.IsTruncated || (out.NextKeyMarker === keyMarker && out.NextUploadIdMarker === uploadIdMarker)) return found;
        keyMarker = out.NextKeyMarker;
        uploadIdMarker = out.NextUploadIdMarker;
      }
    },
    async abort({ bucket, key, uploadId }) {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      } catch (err) {
        if (!isNotFound(err) && (err as { name?: string }).name !== 'NoSuchUpload') throw err;
      }
    },
  };

  return {
    multipart,
    async put(kind, key, source, options) {
      const contentType = options.contentType ? { ContentType: options.contentType } : {};
      const params = { ...where(kind, key), ...acl(options.acl), ...contentType, Body: 'path' in source ? createReadStream(source.path) : source.body };
      const upload = new Upload({ client, params, partSize, queueSize: 2, leavePartsOnError: false });
      await upload.done();
    },
    head,
    async read(kind, key, range) {
      try {
        const out = await client.send(new GetObjectCommand({ ...where(kind, key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
        return (out.Body as Readable | undefined) ?? null;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    list,
    async copy(kind, fromKey, toKey, a) {
      const from = where(kind, fromKey);
      await client.send(new CopyObjectCommand({ ...where(kind, toKey), ...acl(a), CopySource: `${from.Bucket}/${from.Key.split('/').map(encodeURIComponent).join('/')}` }));
    },
    async setAcl(kind, key, a) {
      const canned = acl(a);
      if (!('ACL' in canned)) return;
      await client.send(new PutObjectAclCommand({ ...where(kind, key), ...canned }));
    },
    remove,
    async removePrefix(kind, prefix) {
      const keys = (await list(kind, prefix)).map((o) => o.key);
      await remove(kind, keys);
      return keys.length;
    },
    close() {
      client.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
