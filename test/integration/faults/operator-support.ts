import { get } from 'node:http';
import type { InstanceConfig } from '../../../src/config/index.js';
import { createInstance, type Instance } from '../../../src/instance.js';
import { createLogger } from '../../../src/lib/logger.js';
import type { Clock } from '../../../src/lib/clock.js';
import { ROOT_PASSWORD } from '../../support/instance.js';

/** An instance that can be stopped and started again on the same storage and database. */
export interface RestartableInstance {
  readonly instance: Instance;
  readonly url: string;
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function loginAs(url: string, username: string, password: string): Promise<string> {
  const client = (await (await fetch(`${url}/api/v1/oauth-clients/local`)).json()) as Record<string, string>;
  const res = await fetch(`${url}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, grant_type: 'password', username, password }) });
  if (!res.ok) throw new Error(`login ${username} on ${url}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function startRestartable(config: InstanceConfig, options: { clock?: Clock } = {}): Promise<RestartableInstance> {
  let instance: Instance | undefined;
  let token = '';
  let running = false;
  const boot = async () => {
    instance = await createInstance(config, { ...(options.clock ? { clock: options.clock } : {}), logger: createLogger({ level: config.log.level }) });
    await instance.start();
    running = true;
    token = await loginAs(instance.urls.base, 'root', ROOT_PASSWORD);
  };
  await boot();
  return {
    get instance() {
      return instance!;
    },
    get url() {
      return instance!.urls.base;
    },
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      const t = init.token === undefined ? token : init.token;
      if (t) headers.set('authorization', `Bearer ${t}`);
      return fetch(`${instance!.urls.base}${path}`, { ...init, headers });
    },
    async restart() {
      await instance!.stop();
      running = false;
      await boot();
    },
    async stop() {
      if (running) await instance!.stop();
      running = false;
    },
  };
}

/**
 * GET /healthz on a new connection (no pooled keep-alive socket: with the embedded database a
 * long statement blocks the event loop, and a pooled socket may be closed as it is reused).
 */
export function healthz(baseUrl: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${baseUrl}/healthz`, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).once('error', reject);
  });
}
