import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOffsetClock } from '../../../src/lib/clock.js';
import { copySizeEstimate } from '../../../src/redundancy/copy-size.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

/**
 * Copies that cannot be made, and budgets too small for a whole copy: a failed copy does not break
 * later ticks and is retried only after `retry_failed_after`; a budget that holds the media but not
 * the playlists and torrents beside them is not filled (the copy would overrun it).
 */
describe('mirror failures and tight budgets', () => {
  const clock = createOffsetClock();
  let a: TestInstance;
  let b: TestInstance;
  let uuid = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const rows = () => b.instance.prisma.videoRedundancy.findMany({ where: { actor: { host: null } }, orderBy: { id: 'asc' } });
  const tick = async () => {
    const outcome = await b.instance.scheduler.runNow('redundancy-plan');
    if (outcome.status === 'failed') throw outcome.error;
  };
  const setPolicy = async (size: number | string) => {
    const res = await b.api('/api/v1/server/redundancy/policy', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ check_interval: '10 minutes', strategies: [{ strategy: 'most-views', size, min_lifetime: '1 hour' }] }),
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startTestInstance({ db: 'embedded', clock }),
      startTestInstance({
        db: 'postgres',
        clock,
        overrides: {
          redundancy: {
            min_lifetime_floor: '1 second',
            videos: { check_interval: '10 minutes', strategies: [] },
            // every copy of this test's video is too large: a permanent failure
            mirror: { max_copy_size: 1000, retry_failed_after: '1 day' },
          },
        },
      }),
    ]);
    await b.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) });
    uuid = ((await (await a.uploadMultipart(await generatedClip(), { name: 'hard to mirror', channelId: '1' })).json()) as { video: { uuid: string } }).video.uuid;
    await a.waitForPublished(uuid);
    await waitFor('the video on B', () => b.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
    await b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((i) => i.stop()));
  });

  it('a budget that holds the media but not the whole copy is not filled', async () => {
    const details = await a.json<{ duration: number; streamingPlaylists: { files: { size: number }[] }[] }>(`/api/v1/videos/${uuid}`);
    const files = details.streamingPlaylists[0]!.files;
    const media = files.reduce((n, f) => n + f.size, 0);
    await setPolicy(media + 1);
    await tick();
    expect(await rows()).toEqual([]);
    // room for the copy with its playlists, hashes and torrents: planned
    await setPolicy(copySizeEstimate(files, details.duration));
    expect((await rows()).map((r) => r.videoId)).toHaveLength(1);
  });

  it('a copy that fails for good is marked failed; later ticks go on and leave its video alone', async () => {
    const failed = await waitFor('the copy failed', async () => {
      const [row] = await rows();
      return row?.state === 'failed' ? row : undefined;
    }, 60_000);
    expect(failed.reason).toMatch(/too-large/);
    for (let i = 0; i < 2; i++) await tick();
    expect((await rows()).map((r) => [r.id, r.state])).toEqual([[failed.id, 'failed']]);
    expect(await readdir(join(b.config.storage.redundancy, 'hls'))).toEqual([]);
    expect((await a.json<{ streamingPlaylists: { redundancies: unknown[] }[] }>(`/api/v1/videos/${uuid}`)).streamingPlaylists[0]!.redundancies).toEqual([]);
  });

  it('after retry_failed_after, the video is planned again', async () => {
    const [failed] = await rows();
    clock.advance(24 * 3600_000 + 60_000);
    await tick();
    const [again] = await rows();
    expect(again).toBeDefined();
    expect(again!.id).not.toBe(failed!.id);
    expect(again!.state).not.toBe('failed');
  });
});
