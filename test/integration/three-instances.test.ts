import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../support/media.js';
import { startTestInstance, type TestInstance } from '../support/instance.js';

describe('three instances in one process, each with its own database, storage and port', () => {
  let instances: TestInstance[] = [];
  beforeAll(async () => {
    instances = await Promise.all([
      startTestInstance({ db: 'postgres' }),
      startTestInstance({ db: 'embedded' }),
      startTestInstance({ db: 'postgres' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
  });

  it('keeps ports, storage folders, databases and data apart', async () => {
    const [a, b, c] = instances as [TestInstance, TestInstance, TestInstance];
    expect(new Set(instances.map((i) => i.instance.port)).size).toBe(3);
    expect(new Set(instances.map((i) => i.config.storage.root)).size).toBe(3);
    expect(instances.map((i) => i.instance.db.kind)).toEqual(['postgres', 'embedded', 'postgres']);
    expect(a.config.database.url).not.toBe(c.config.database.url);

    for (const i of instances) {
      const config = await i.json<{ serverVersion: string; instance: { name: string } }>('/api/v1/config');
      expect(config.serverVersion).toBe('6.3.0');
      const me = await i.json<{ username: string; account: { host: string } }>('/api/v1/users/me');
      expect(me.account.host).toBe(`127.0.0.1:${i.instance.port}`);
    }
    // A token of one instance means nothing to another.
    const res = await b.api('/api/v1/users/me', { token: a.rootToken });
    expect(res.status).toBe(401);

    const clip = await generatedClip();
    const upload = await b.uploadMultipart(clip, { name: 'only on b', channelId: '1' });
    expect(upload.status).toBe(200);
    const counts = await Promise.all(instances.map((i) => i.json<{ total: number }>('/api/v1/videos?count=0')));
    expect(counts.map((x) => x.total)).toEqual([0, 1, 0]);

    // Each has its own metrics registry.
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toContain('mirrortube_build_info');
    const aUploads = await a.instance.prisma.video.count();
    expect(aUploads).toBe(0);
    await b.waitForPublished((await upload.json() as { video: { id: number } }).video.id);
  });
});
