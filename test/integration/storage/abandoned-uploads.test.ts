import { CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { S3_CREDENTIALS, startTestS3, type TestS3 } from './s3-server.js';

/**
 * Several nodes on one PostgreSQL and one bucket: the cleanup tick (run by one node) aborts the
 * multipart upload of a node gone silent and of a node that restarted since, and keeps the one a
 * live node writes and an untracked recent one; the dead rows go, the live one stays.
 */
describe('abandoned multipart uploads across nodes (PostgreSQL, s3rver)', () => {
  let s3: TestS3;
  let a: TestInstance;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startTestS3(['n']);
    a = await startTestInstance({ db: 'postgres', overrides: { object_storage: s3.configFor('n') } });
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: S3_CREDENTIALS.access_key_id, secretAccessKey: S3_CREDENTIALS.secret_access_key } });
  });
  afterAll(async () => {
    client?.destroy();
    await a?.stop();
    await s3?.close();
  });

  it('aborts what no live node writes, keeps what one does', async () => {
    const prisma = a.instance.prisma;
    const now = Date.now();
    const node = (id: string, startedAt: number, lastSeenAt: number) => ({ id, name: id, url: 'http://127.0.0.1:1', version: 'x', startedAt: new Date(startedAt), lastSeenAt: new Date(lastSeenAt) });
    await prisma.clusterNode.createMany({
      data: [
        node('alive', now - 60_000, now), // another node, heartbeating
        node('silent', now - 3600_000, now - 600_000), // killed ten minutes ago
        node('restarted', now - 1000, now), // restarted a second ago: its earlier uploads ended
      ],
    });
    const begin = async (key: string, writer: string | null, startedAt = now - 30_000) => {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'n-videos', Key: key }));
      await client.send(new UploadPartCommand({ Bucket: 'n-videos', Key: key, UploadId: UploadId!, PartNumber: 1, Body: Buffer.from('part') }));
      if (writer) await prisma.objectUpload.create({ data: { bucket: 'n-videos', key, node: writer, startedAt: new Date(startedAt) } });
    };
    await begin('live-720.mp4', 'alive');
    await begin('silent-720.mp4', 'silent');
    await begin('restarted-720.mp4', 'restarted');
    await begin('untracked-720.mp4', null);
    expect(await s3.pendingUploads('n-videos')).toHaveLength(4);

    const outcome = await a.instance.scheduler.runNow('object-storage-abandoned-uploads');
    expect(outcome.status).toBe('completed');
    expect(await s3.pendingUploads('n-videos')).toEqual(['live-720.mp4', 'untracked-720.mp4']);
    expect((await prisma.objectUpload.findMany()).map((r) => r.node)).toEqual(['alive']);
  });
});
