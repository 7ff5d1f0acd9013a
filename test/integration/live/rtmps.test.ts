import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/lib/logger.js';
import { createRtmpServer } from '../../../src/live/rtmp-server.js';
import { ffprobeJson } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { publishTestStream, TEST_LIVE_CONFIG } from '../../support/live.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

/**
 * RTMPS (PeerTube's `live.rtmps`): OBS or ffmpeg publishes inside TLS to rtmps://host:port/live/<key>;
 * the owner sees `rtmpsUrl`; a client that does not speak TLS, or garbage, costs only its connection;
 * an unreadable key or certificate stops the start with the file named.
 */
describe('lives over RTMPS', () => {
  let dir: string;
  let t: TestInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mirrortube-rtmps-'));
    // a self-signed certificate (ffmpeg does not verify the server's by default, like OBS with a self-signed one)
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ]);
    t = await startTestInstance({
      db: 'embedded',
      overrides: {
        live: {
          ...TEST_LIVE_CONFIG,
          rtmp: { enabled: false },
          rtmps: { enabled: true, hostname: '127.0.0.1', port: 0, key_file: join(dir, 'key.pem'), cert_file: join(dir, 'cert.pem') },
        },
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes over RTMPS: the owner gets rtmpsUrl (and no rtmpUrl with RTMP off), the live plays', async () => {
    const channelId = (await t.json<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
    const created = await t.api('/api/v1/videos/live', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channelId, name: 'a live over TLS', privacy: 1 }) });
    expect(created.status).toBe(200);
    const { video } = (await created.json()) as { video: { id: number; uuid: string } };
    const live = await t.json<{ rtmpUrl: string | null; rtmpsUrl: string | null; streamKey: string }>(`/api/v1/videos/live/${video.id}`);
    const port = t.instance.live.rtmpsPort();
    expect(port).toBeGreaterThan(0);
    expect(live.rtmpsUrl).toBe(`rtmps://127.0.0.1:${port}/live`);
    expect(live.rtmpUrl).toBeNull();

    // plain RTMP on the RTMPS port: no RTMP answer, and the server goes on
    const answer = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const socket = connect(port!, '127.0.0.1', () => socket.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(1536, 7)])));
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(chunks)));
      setTimeout(() => socket.destroy(), 3_000).unref();
    });
    expect(answer.length === 0 || answer[0] !== 3).toBe(true);

    const publisher = publishTestStream(`${live.rtmpsUrl}/${live.streamKey}`, 6);
    const playing = await waitFor('the live playlist', async () => {
      const v = await t.json<{ state: { id: number }; streamingPlaylists: { playlistUrl: string }[] }>(`/api/v1/videos/${video.uuid}`);
      const url = v.streamingPlaylists[0]?.playlistUrl;
      return v.state.id === 1 && url && (await fetch(url)).ok ? url : undefined;
    }, 90_000, 200);
    const probed = await ffprobeJson(playing);
    expect(probed.streams.some((s) => s.codec_type === 'video' && s.height === 90)).toBe(true);
    expect(await publisher.done).toBe(0);
    await waitFor('the live ended', async () => ((await t.json<{ state: { id: number } }>(`/api/v1/videos/${video.uuid}`)).state.id === 5 ? true : undefined), 60_000, 200);
  });

  it('refuses to start with an unreadable certificate, naming the setting and the file', async () => {
    const server = createRtmpServer({
      hostname: '127.0.0.1',
      port: 0,
      authority: { publish: async () => ({ ok: false, reason: { type: 'unknown-key', message: 'test' } }) },
      logger: createLogger({ level: 'silent' }),
      tls: { keyFile: join(dir, 'key.pem'), certFile: join(dir, 'missing.pem') },
    });
    await expect(server.start()).rejects.toThrow(/live\.rtmps\.cert_file: cannot read .*missing\.pem/);
    expect(server.port()).toBeNull();
  });
});
