import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childInstanceEnv, startChildInstance } from '../../support/child-instance.js';
import { createTestDatabase } from '../../support/database.js';
import { decodeFully, generatedClip } from '../../support/media.js';
import { freePort, waitFor } from '../../support/ports.js';

const PASSWORD = 'crash-test-password';

async function login(base: string): Promise<string> {
  const client = (await (await fetch(`${base}/api/v1/oauth-clients/local`)).json()) as Record<string, string>;
  const res = await fetch(`${base}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password: PASSWORD }) });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('a transcode cut off by SIGKILL resumes after restart (embedded database)', () => {
  let storage = '';
  afterAll(async () => {
    if (storage) await rm(storage, { recursive: true, force: true });
  });

  it('kills the process while ffmpeg runs, restarts it, and the video gets published', async () => {
    storage = await mkdtemp(join(tmpdir(), 'mt-crash-'));
    await createTestDatabase('embedded', { storage }); // the migrated embedded database, copied from the template
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      ...childInstanceEnv({ storage, port, password: PASSWORD }),
      // slow enough to be caught in the middle: 720p with a slower preset
      MIRRORTUBE_TRANSCODING__PRESET: 'fast',
      MIRRORTUBE_TRANSCODING__RESOLUTIONS__720P: 'true',
      MIRRORTUBE_TRANSCODING__RESOLUTIONS__480P: 'false',
      MIRRORTUBE_TRANSCODING__RESOLUTIONS__360P: 'false',
      MIRRORTUBE_TRANSCODING__RESOLUTIONS__240P: 'true',
    };
    const first = await startChildInstance(env, port);
    const token = await login(base);
    const clip = await generatedClip({ seconds: 6, width: 1280, height: 720 });
    const form = new FormData();
    form.append('name', 'interrupted');
    form.append('channelId', '1');
    form.append('videofile', new Blob([readFileSync(clip)]), 'clip.mp4');
    const res = await fetch(`${base}/api/v1/videos/upload`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const { video } = (await res.json()) as { video: { uuid: string } };

    // Wait until ffmpeg is writing into the transcoding work folder, then kill without warning.
    const workRoot = join(storage, 'tmp', 'transcode');
    await waitFor('ffmpeg to write output', async () => {
      for (const dir of await readdir(workRoot)) {
        const hls = await readdir(join(workRoot, dir, 'hls')).catch(() => []);
        if (hls.length > 0) return true;
      }
      return undefined;
    }, 60_000, 20);
    const jobs = (await (await fetch(`${base}/api/v1/jobs/active`, { headers: { authorization: `Bearer ${token}` } })).json()) as { total: number; data: { type: string }[] };
    expect(jobs.data.map((j) => j.type)).toContain('video-transcoding');
    first.child.kill('SIGKILL');
    await first.exited;
    const before = (await fetch(`${base}/healthz`).catch(() => null)) as Response | null;
    expect(before).toBeNull();

    const second = await startChildInstance(env, port);
    try {
      const published = await waitFor(
        'the video to be published after restart',
        async () => {
          const v = (await (await fetch(`${base}/api/v1/videos/${video.uuid}`)).json()) as { state: { id: number }; streamingPlaylists: { playlistUrl: string; files: unknown[] }[] };
          return v.state.id === 1 ? v : undefined;
        },
        120_000,
        250,
      );
      expect(published.streamingPlaylists[0]!.files).toHaveLength(2); // 720 and 240
      await decodeFully(published.streamingPlaylists[0]!.playlistUrl);
      const completed = (await (await fetch(`${base}/api/v1/jobs/completed`, { headers: { authorization: `Bearer ${await login(base)}` } })).json()) as { data: { type: string }[] };
      expect(completed.data.filter((j) => j.type === 'video-transcoding')).toHaveLength(1);
      expect(await readdir(workRoot)).toEqual([]);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});
