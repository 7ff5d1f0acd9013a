import { expect } from 'vitest';
import { generatedClip } from './media.js';
import { waitFor } from './ports.js';
import type { TestInstance } from './instance.js';

/** The host of a test instance as other instances name it (`127.0.0.1:<port>`). */
export const hostOf = (t: TestInstance): string => `127.0.0.1:${t.instance.port}`;

/** `follower` follows `followed` (POST /server/following) and waits until the follow is accepted (its first following). */
export async function followAndWait(follower: TestInstance, followed: TestInstance): Promise<void> {
  const res = await follower.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(followed)] }) });
  expect(res.status).toBe(204);
  await waitFor('B following A', async () => ((await follower.json<{ data: { state: string }[] }>('/api/v1/server/following')).data[0]?.state === 'accepted' ? true : undefined), 60_000);
}

/** A generated clip uploaded to `origin` as `name`, published there and known to `follower`: its uuid. */
export async function uploadSeenByFollower(origin: TestInstance, follower: TestInstance, name: string): Promise<string> {
  const up = await origin.uploadMultipart(await generatedClip(), { name, channelId: '1' });
  const uuid = ((await up.json()) as { video: { uuid: string } }).video.uuid;
  await origin.waitForPublished(uuid);
  await waitFor('the video on B', () => follower.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 60_000);
  return uuid;
}
