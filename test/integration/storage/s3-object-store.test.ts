import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { loadS3ObjectStore, type ObjectStore } from '../../../src/storage/index.js';
import { S3_CREDENTIALS, startTestS3, type TestS3 } from './s3-server.js';

/** The S3 implementation of the storage port against s3rver: multipart above max_upload_part, ranges, prefixes, copies, absent objects as null. */
describe('S3 object store (s3rver)', () => {
  let s3: TestS3;
  let store: ObjectStore;
  let dir: string;
  const big = randomBytes(6 * 1024 * 1024 + 123);

  beforeAll(async () => {
    s3 = await startTestS3(['t']);
    dir = await mkdtemp(join(tmpdir(), 'mt-s3-store-'));
    const loaded = loadConfig({ cwd: dir, extra: [{ name: 't', data: { object_storage: { ...s3.configFor('t'), max_upload_part: '5MB', streaming_playlists: { bucket_name: 't-playlists', prefix: 'hls/', base_url: '' } } } }] });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    store = await loadS3ObjectStore(loaded.config.object_storage);
  });
  afterAll(async () => {
    store?.close();
    await s3?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('puts a file in parts and bytes whole, under the prefix; heads, reads ranges, lists, copies, removes', async () => {
    const file = join(dir, 'big.mp4');
    await writeFile(file, big);
    await store.put('streaming_playlists', 'u1/big.mp4', { path: file }, { acl: 'public', contentType: 'video/mp4' });
    await store.put('streaming_playlists', 'u1/master.m3u8', { body: Buffer.from('#EXTM3U\n') }, { acl: 'private' });
    expect(await s3.keys('t-playlists')).toEqual(['hls/u1/big.mp4', 'hls/u1/master.m3u8']);

    const head = await store.head('streaming_playlists', 'u1/big.mp4');
    expect(head?.size).toBe(big.length);
    expect(head?.etag).toMatch(/^"/);
    const chunks: Buffer[] = [];
    for await (const c of (await store.read('streaming_playlists', 'u1/big.mp4', { start: 5 * 1024 * 1024 - 10, end: 5 * 1024 * 1024 + 9 }))!) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(big.subarray(5 * 1024 * 1024 - 10, 5 * 1024 * 1024 + 10))).toBe(true);
    expect((await store.list('streaming_playlists', 'u1/')).map((o) => [o.key, o.size])).toEqual([
      ['u1/big.mp4', big.length],
      ['u1/master.m3u8', 8],
    ]);

    await store.copy('streaming_playlists', 'u1/master.m3u8', 'u2/master.m3u8', 'public');
    expect((await store.head('streaming_playlists', 'u2/master.m3u8'))?.size).toBe(8);
    expect(await store.removePrefix('streaming_playlists', 'u1/')).toBe(2);
    await store.remove('streaming_playlists', ['u2/master.m3u8', 'never-there.mp4']);
    expect(await s3.keys('t-playlists')).toEqual([]);
  });

  it('absent objects are null, unsafe keys are refused', async () => {
    expect(await store.head('streaming_playlists', 'nothing/here.mp4')).toBeNull();
    expect(await store.read('streaming_playlists', 'nothing/here.mp4')).toBeNull();
    expect(await store.list('web_videos', 'x')).toEqual([]);
    await expect(store.head('streaming_playlists', '../escape')).rejects.toThrow(/unsafe object key/);
  });

  it('lists the multipart uploads in progress under a prefix and aborts them (their parts go)', async () => {
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: S3_CREDENTIALS.access_key_id, secretAccessKey: S3_CREDENTIALS.secret_access_key } });
    const begin = async (key: string) => {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 't-playlists', Key: key }));
      await client.send(new UploadPartCommand({ Bucket: 't-playlists', Key: key, UploadId: UploadId!, PartNumber: 1, Body: Buffer.from('part one') }));
      return UploadId!;
    };
    const before = Date.now();
    const ours = await begin('hls/u2/a-fragmented.mp4');
    await begin('elsewhere/b.mp4');
    const multipart = store.multipart!;
    const listed = await multipart.list('t-playlists', 'hls/');
    expect(listed.map((u) => [u.bucket, u.key, u.uploadId])).toEqual([['t-playlists', 'hls/u2/a-fragmented.mp4', ours]]);
    expect(listed[0]!.initiated.getTime()).toBeGreaterThan(before - 60_000);
    await multipart.abort(listed[0]!);
    expect(await multipart.list('t-playlists', 'hls/')).toEqual([]);
    expect(await s3.pendingUploads('t-playlists')).toEqual(['elsewhere/b.mp4']);
    // already gone: fine
    await multipart.abort(listed[0]!);
    client.destroy();
  });
});
