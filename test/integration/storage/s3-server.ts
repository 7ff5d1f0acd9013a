import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's fixed credentials. */
export const S3_CREDENTIALS = { access_key_id: 'S3RVER', secret_access_key: 'S3RVER' };

export interface TestS3 {
  endpoint: string;
  /** every key of a bucket (under a prefix) */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  put(bucket: string, key: string, body: string): Promise<void>;
  /** the object_storage config of an instance using buckets `<name>-playlists`, `<name>-videos`, `<name>-copies` (and `<name>-thumbnails`, `<name>-torrents` when `extras`) */
  configFor(name: string, options?: { playlistsBaseUrl?: boolean; webVideosBaseUrl?: boolean; extras?: boolean }): Record<string, unknown>;
  close(): Promise<void>;
}

/** A real S3 API server (s3rver) on 127.0.0.1, a free port, its files in a temporary folder, with the buckets of the named instances. */
export async function startTestS3(instances: string[]): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'mirrortube-s3-'));
  const buckets = instances.flatMap((n) => [`${n}-playlists`, `${n}-videos`, `${n}-copies`, `${n}-thumbnails`, `${n}-torrents`]);
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
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
