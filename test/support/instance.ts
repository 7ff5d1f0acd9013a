import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig, type InstanceConfig } from '../../src/config/index.js';
import { createInstance, type Instance } from '../../src/instance.js';
import type { Clock } from '../../src/lib/clock.js';
import type { LookupAddresses } from '../../src/federation/remote/index.js';
import { createTestDatabase, type TestDatabaseKind } from './database.js';
import { nextTestActorKeys } from './key-pool.js';
import { freePort, waitFor } from './ports.js';

export const ROOT_PASSWORD = 'test-root-password';

const UNTHROTTLED = { window: '10 seconds', max: 5_000_000 };
/** Rate limits no test reaches (tests of the limits themselves set their own). */
export const TEST_RATES_LIMIT = { api: UNTHROTTLED, login: UNTHROTTLED, activity_pub: UNTHROTTLED, well_known: UNTHROTTLED };

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Config for a test instance: 127.0.0.1, a free port, its own storage and database, fast settings. */
export async function testConfig(options: { db: TestDatabaseKind; overrides?: DeepPartial<Record<string, unknown>> }) {
  const port = await freePort();
  const storage = await mkdtemp(join(tmpdir(), 'mirrortube-test-'));
  const postgres = options.db === 'postgres' ? await createTestDatabase('postgres') : null;
  const loaded = loadConfig({
    extra: [
      {
        name: 'test settings',
        data: {
          listen: { hostname: '127.0.0.1', port },
          webserver: { https: false, hostname: '127.0.0.1', port },
          database: { url: postgres?.url ?? null, pool_size: 4 },
          storage: { root: storage },
          admin: { initial_password: ROOT_PASSWORD },
          log: { level: process.env.MT_TEST_LOG ?? 'silent' },
          federation: { allow_private_addresses: true },
          // every test instance and client shares 127.0.0.1: PeerTube's own tests raise its limits too
          rates_limit: TEST_RATES_LIMIT,
          // evicted copies are deleted at once unless a test asks for a grace period
          redundancy: { eviction_grace: 0 },
          jobs: { poll_interval: '200ms', lease_duration: '5 seconds', shutdown_deadline: '2 seconds' },
          transcoding: {
            preset: 'ultrafast',
            threads: 1,
            resolutions: { '144p': true, '240p': true, '360p': false, '480p': false, '720p': false, '1080p': false, '1440p': false, '2160p': false },
          },
        },
      },
      ...(options.overrides ? [{ name: 'test overrides', data: options.overrides }] : []),
    ],
  });
  if (!loaded.ok) {
    await postgres?.drop();
    throw new Error(loaded.errors.join('\n'));
  }
  // the embedded database goes where the instance will look for it (overrides may move it)
  const database = postgres ?? (loaded.config.database.url ? null : await createTestDatabase('embedded', { dataDir: loaded.config.storage.database }));
  return {
    config: loaded.config,
    cleanup: async () => {
      await database?.drop();
      await rm(storage, { recursive: true, force: true });
    },
  };
}

export interface TestInstance {
  instance: Instance;
  config: InstanceConfig;
  /** the public base URL (webserver.*) */
  url: string;
  /** where it listens (the same as `url` unless webserver.* names another address) */
  apiUrl: string;
  /** fetch against this instance (path relative to its base URL), with the root token by default */
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  json<T = Record<string, unknown>>(path: string, init?: RequestInit & { token?: string | null }): Promise<T>;
  rootToken: string;
  login(username: string, password: string): Promise<string>;
  uploadMultipart(file: string, fields: Record<string, string | string[]>, token?: string): Promise<Response>;
  uploadResumable(file: string, fields: Record<string, unknown>, options?: { chunkSize?: number; token?: string }): Promise<Response>;
  waitForPublished(videoId: string | number, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts a real instance in this process (real database, storage, HTTP on 127.0.0.1, ffmpeg). */
export async function startTestInstance(options: { db: TestDatabaseKind; overrides?: Record<string, unknown>; clock?: Clock; lookup?: LookupAddresses }): Promise<TestInstance> {
  const { config, cleanup } = await testConfig(options);
  const instance = await createInstance(config, {
    clock: options.clock,
    actorKeys: nextTestActorKeys,
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  await instance.start();
  const url = instance.urls.base;
  // REST calls go to where the instance listens (its public address may be another, e.g. in replays)
  const apiUrl = `http://${config.listen.hostname}:${instance.port}`;

  const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const token = init.token === undefined ? rootToken : init.token;
    if (token) headers.set('authorization', `Bearer ${token}`);
    return fetch(`${apiUrl}${path}`, { ...init, headers });
  };
  const json = async <T>(path: string, init?: RequestInit & { token?: string | null }): Promise<T> => {
    const res = await api(path, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };

  const login = async (username: string, password: string): Promise<string> => {
    const client = (await (await fetch(`${apiUrl}/api/v1/oauth-clients/local`)).json()) as { client_id: string; client_secret: string };
    const res = await fetch(`${apiUrl}/api/v1/users/token`, {
      method: 'POST',
      body: new URLSearchParams({ ...client, grant_type: 'password', username, password }),
    });
    if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  let rootToken = '';
  rootToken = await login('root', ROOT_PASSWORD);

  const uploadMultipart = async (file: string, fields: Record<string, string | string[]>, token = rootToken) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(Array.isArray(v) ? `${k}[]` : k, one);
    form.append('videofile', new Blob([readFileSync(file)]), basename(file));
    return api('/api/v1/videos/upload', { method: 'POST', body: form, token });
  };

  const uploadResumable = async (file: string, fields: Record<string, unknown>, opts: { chunkSize?: number; token?: string } = {}) => {
    const bytes = readFileSync(file);
    const token = opts.token ?? rootToken;
    const init = await api('/api/v1/videos/upload-resumable', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json', 'x-upload-content-length': String(bytes.length), 'x-upload-content-type': 'video/mp4' },
      body: JSON.stringify({ filename: basename(file), ...fields }),
    });
    if (init.status !== 201) return init;
    const location = init.headers.get('location') ?? '';
    const chunk = opts.chunkSize ?? 256 * 1024;
    let last: Response = init;
    for (let start = 0; start < bytes.length; start += chunk) {
      const end = Math.min(start + chunk, bytes.length) - 1;
      last = await api(location, {
        method: 'PUT',
        token,
        headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${bytes.length}` },
        body: bytes.subarray(start, end + 1),
      });
      if (end < bytes.length - 1 && last.status !== 308) return last;
    }
    return last;
  };

  const waitForPublished = (videoId: string | number, timeoutMs = 90_000) =>
    waitFor(
      `video ${videoId} to be published`,
      async () => {
        const v = await json<{ state: { id: number }; streamingPlaylists: unknown[] }>(`/api/v1/videos/${videoId}`);
        if (v.state.id === 7) throw new Error('transcoding failed');
        return v.state.id === 1 && v.streamingPlaylists.length > 0 ? (v as unknown as Record<string, unknown>) : undefined;
      },
      timeoutMs,
      200,
    );

  return {
    instance,
    config,
    url,
    apiUrl,
    api,
    json,
    get rootToken() {
      return rootToken;
    },
    login,
    uploadMultipart,
    uploadResumable,
    waitForPublished,
    stop: async () => {
      await instance.stop();
      await cleanup();
    },
  };
}
