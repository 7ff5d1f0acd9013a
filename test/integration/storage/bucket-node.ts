import { writeFile, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { childInstanceEnv, startChildInstance, type ChildInstance } from '../../support/child-instance.js';
import { freePort } from '../../support/ports.js';

/**
 * A node of the kill -9 tests against a bucket: `mirrortube serve` as a child process on `storage`
 * with `config` (its object storage and the rest, as a config file), short job leases; `start()`
 * runs it again on the same port and storage. `api` is the root's, logged in on the first run
 * (tokens live in the database: they outlive a restart).
 */
export async function startBucketNode(input: { storage: string; config: Record<string, unknown>; password: string }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const configFile = join(input.storage, 'node.yaml');
  await writeFile(configFile, JSON.stringify(input.config));
  const env = {
    ...childInstanceEnv({ storage: input.storage, port, password: input.password }),
    MIRRORTUBE_LISTEN__HOSTNAME: '127.0.0.1',
    MIRRORTUBE_WEBSERVER__HTTPS: 'false',
    MIRRORTUBE_JOBS__LEASE_DURATION: '2 seconds',
    MIRRORTUBE_JOBS__SHUTDOWN_DEADLINE: '2 seconds',
  };
  const start = (): Promise<ChildInstance> => startChildInstance(env, port, ['--config', configFile]);
  const first = await start();
  const client = (await (await fetch(`${base}/api/v1/oauth-clients/local`)).json()) as Record<string, string>;
  const login = await fetch(`${base}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password: input.password }) });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const api = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });

  /** Uploads `clip` in one request; its uuid (throws on any answer but 200). */
  async function upload(clip: string, name: string): Promise<string> {
    const form = new FormData();
    form.append('videofile', new Blob([await readFile(clip)]), basename(clip));
    form.append('name', name);
    form.append('channelId', '1');
    const res = await api('/api/v1/videos/upload', { method: 'POST', body: form });
    if (res.status !== 200) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { video: { uuid: string } }).video.uuid;
  }

  return { base, first, start, api, upload };
}
