import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSafeFetcher,
  type LookupAddresses,
  type SafeFetcherOptions,
} from '../../../src/federation/remote/index.js';
import {
  generateActorKeyPair,
  verifyRequestSignature,
  type ActorKeyPair,
  type HeaderMap,
} from '../../../src/federation/signatures/index.js';
import { createManualClock, systemClock } from '../../../src/lib/clock.js';
import { sendJson, startServer, startSilentServer, type LocalServer } from './local-servers.js';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function server(...args: Parameters<typeof startServer>): Promise<LocalServer> {
  const s = await startServer(...args);
  opened.push(s);
  return s;
}

function fetcher(overrides: Partial<SafeFetcherOptions> = {}) {
  return createSafeFetcher({
    allowPrivateAddresses: true,
    timeoutMs: 5_000,
    maxBytes: 1_000_000,
    maxRedirects: 5,
    userAgent: 'mirrortube-test/1 (+http://127.0.0.1)',
    clock: systemClock,
    ...overrides,
  });
}

/** Fake DNS: every name of `names` answers 127.0.0.1, and each question is recorded. */
function fakeDns(names: string[]): LookupAddresses & { asked: string[] } {
  const asked: string[] = [];
  const lookup: LookupAddresses = async (name) => {
    asked.push(name);
    if (!names.includes(name)) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return [{ address: '127.0.0.1', family: 4 }];
  };
  return Object.assign(lookup, { asked });
}

const hello = () => server((_req, res) => sendJson(res, { hello: 'world' }));

describe('the address guard', () => {
  it('on: refuses 127.0.0.1 in every spelling, before connecting', async () => {
    const target = await hello();
    const guarded = fetcher({ allowPrivateAddresses: false });
    for (const url of [
      `${target.base}/`,
      `http://2130706433:${target.port}/`,
      `http://0x7f.1:${target.port}/`,
      `http://0177.0.0.1:${target.port}/`,
      `http://[::ffff:127.0.0.1]:${target.port}/`,
      `http://localhost:${target.port}/`,
      `http://0.0.0.0:${target.port}/`,
    ]) {
      const result = await guarded.fetch(url);
      expect(result, url).toMatchObject({ ok: false, reason: { type: 'blocked-address' } });
    }
    expect(target.received).toHaveLength(0);
  });

  it('off: fetches from 127.0.0.1', async () => {
    const target = await hello();
    const result = await fetcher().fetch(`${target.base}/x?y=1`);
    expect(result).toMatchObject({ ok: true, status: 200, url: `${target.base}/x?y=1`, headers: { 'content-type': 'application/activity+json; charset=utf-8' } });
    expect(result.ok && JSON.parse(result.body.toString())).toEqual({ hello: 'world' });
    expect(target.received[0]?.headers['user-agent']).toBe('mirrortube-test/1 (+http://127.0.0.1)');
  });

  it('on: checks every redirect hop, not only the first', async () => {
    // public.test stands for a public host: it is exempt from the check by name. It answers on
    // 127.0.0.1 and redirects to internal.test, which also resolves to 127.0.0.1 but is not exempt.
    const inside = await server((_req, res) => sendJson(res, { secret: true }));
    const redirectTo = (location: string) =>
      server((_req, res) => {
        res.writeHead(302, { location });
        res.end();
      });
    const dns = fakeDns(['public.test', 'internal.test']);
    const guarded = fetcher({ allowPrivateAddresses: false, allowedPrivateHosts: ['public.test'], lookup: dns });

    // control: the same chain to an allowed host is followed to the end
    const toAllowed = await redirectTo(`http://public.test:${inside.port}/secret`);
    expect(await guarded.fetch(`http://public.test:${toAllowed.port}/start`)).toMatchObject({ ok: true, url: `http://public.test:${inside.port}/secret` });
    expect(inside.received).toHaveLength(1);

    for (const target of [`http://internal.test:${inside.port}/secret`, `http://127.0.0.1:${inside.port}/secret`, `http://2130706433:${inside.port}/secret`, `http://[::1]:${inside.port}/`]) {
      const start = await redirectTo(target);
      const result = await guarded.fetch(`http://public.test:${start.port}/start`);
      expect(result, target).toMatchObject({ ok: false, reason: { type: 'blocked-address' } });
      expect(start.received, target).toHaveLength(1); // the first hop was made...
    }
    expect(inside.received).toHaveLength(1); // ...and no refused hop reached the inside server
    expect(dns.asked).toContain('internal.test');
  });

  it('connects to the address it checked: the name is not resolved again (no DNS rebinding)', async () => {
    const target = await hello();
    const asked: string[] = [];
    // First answer 127.0.0.1, then an unroutable documentation address: a second resolution by
    // the socket would connect elsewhere (and rebind.test exists in no real DNS).
    const rebinding: LookupAddresses = async (name) => {
      asked.push(name);
      return [{ address: asked.length === 1 ? '127.0.0.1' : '192.0.2.1', family: 4 }];
    };
    const result = await fetcher({ allowPrivateAddresses: false, allowedPrivateHosts: ['rebind.test'], lookup: rebinding, timeoutMs: 2_000 }).fetch(
      `http://rebind.test:${target.port}/`,
    );
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(asked).toEqual(['rebind.test']);
    expect(target.received[0]?.headers.host).toBe(`rebind.test:${target.port}`);
  });

  it('refuses schemes other than http and https, and credentials', async () => {
    const f = fetcher();
    expect(await f.fetch('file:///etc/passwd')).toMatchObject({ ok: false, reason: { type: 'bad-url' } });
    expect(await f.fetch('ftp://127.0.0.1/')).toMatchObject({ ok: false, reason: { type: 'bad-url' } });
    expect(await f.fetch('http://user:pw@127.0.0.1/')).toMatchObject({ ok: false, reason: { type: 'bad-url' } });
    const start = await server((_req, res) => {
      res.writeHead(301, { location: 'file:///etc/passwd' });
      res.end();
    });
    expect(await f.fetch(`${start.base}/`)).toMatchObject({ ok: false, reason: { type: 'bad-url', message: /scheme file:/ } });
  });
});

describe('time-outs', () => {
  it('gives up on a server that accepts the connection and never answers', async () => {
    const silent = await startSilentServer();
    opened.push(silent);
    const started = Date.now();
    const result = await fetcher({ timeoutMs: 300 }).fetch(`http://127.0.0.1:${silent.port}/`);
    expect(result).toMatchObject({ ok: false, reason: { type: 'timeout', phase: 'response' } });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(silent.connections()).toBe(1);
  });

  it('gives up on a body that stops half-way', async () => {
    const stalls = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
    });
    const result = await fetcher({ timeoutMs: 300 }).fetch(`${stalls.base}/`);
    expect(result).toMatchObject({ ok: false, reason: { type: 'timeout', phase: 'response' } });
  });

  it('gives up on a name that never resolves', async () => {
    const result = await fetcher({ lookup: () => new Promise(() => undefined), connectTimeoutMs: 200, timeoutMs: 2_000 }).fetch('http://slow-dns.test/');
    expect(result).toMatchObject({ ok: false, reason: { type: 'timeout', phase: 'lookup' } });
  });
});

describe('the size cap', () => {
  it('stops reading a body that never ends', async () => {
    let closedByClient = false;
    const endless = await server((req, res) => {
      res.writeHead(200, { 'content-type': 'application/activity+json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      res.on('close', () => {
        closedByClient = true;
      });
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const result = await fetcher({ maxBytes: 256 * 1024 }).fetch(`${endless.base}/`);
    expect(result).toMatchObject({ ok: false, reason: { type: 'too-large', limit: 256 * 1024 } });
    await expect.poll(() => closedByClient, { timeout: 2_000 }).toBe(true);
  });

  it('refuses a declared Content-Length over the cap without reading it', async () => {
    const big = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10_000_000) });
      res.write('{');
    });
    expect(await fetcher({ maxBytes: 1000 }).fetch(`${big.base}/`)).toMatchObject({ ok: false, reason: { type: 'too-large' } });
  });

  it('caps the decoded size of a compressed body (a gzip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(20_000_000, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    });
    expect(await fetcher({ maxBytes: 1_000_000 }).fetch(`${s.base}/`)).toMatchObject({ ok: false, reason: { type: 'too-large' } });
  });

  it('decodes gzip bodies under the cap', async () => {
    const s = await server((_req, res) => {
      const body = gzipSync(JSON.stringify({ id: 'x' }));
      res.writeHead(200, { 'content-type': 'application/activity+json', 'content-encoding': 'gzip' });
      res.end(body);
    });
    expect(await fetcher().fetchJson(`${s.base}/`)).toMatchObject({ ok: true, json: { id: 'x' } });
  });
});

describe('redirects', () => {
  async function loop() {
    return server((req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 0);
      if (n >= 3) return sendJson(res, { hops: n });
      res.writeHead(307, { location: `/next?n=${n + 1}` });
      res.end();
    });
  }

  it('follows up to maxRedirects', async () => {
    const s = await loop();
    expect(await fetcher({ maxRedirects: 3 }).fetchJson(`${s.base}/`)).toMatchObject({ ok: true, json: { hops: 3 }, url: `${s.base}/next?n=3` });
  });

  it('stops past maxRedirects', async () => {
    const s = await loop();
    expect(await fetcher({ maxRedirects: 2 }).fetch(`${s.base}/`)).toMatchObject({ ok: false, reason: { type: 'too-many-redirects', limit: 2 } });
    expect(s.received).toHaveLength(3);
  });

  it('stops an endless redirect loop', async () => {
    const s = await server((_req, res) => {
      res.writeHead(302, { location: '/' });
      res.end();
    });
    expect(await fetcher({ maxRedirects: 5 }).fetch(`${s.base}/`)).toMatchObject({ ok: false, reason: { type: 'too-many-redirects' } });
    expect(s.received).toHaveLength(6);
  });

  it('drops static credentials when a redirect leaves the origin; keeps the POST body on 307, not on 303', async () => {
    const b = await server((_req, res) => sendJson(res, {}, 'application/json'));
    const a = await server((req, res) => {
      res.writeHead(req.url === '/see-other' ? 303 : 307, { location: `${b.base}${req.url}` });
      res.end();
    });
    const f = fetcher();
    await f.fetch(`${a.base}/temporary`, { method: 'POST', body: 'payload', headers: { authorization: 'Bearer secret', 'content-type': 'text/plain' } });
    await f.fetch(`${a.base}/see-other`, { method: 'POST', body: 'payload' });
    expect(a.received[0]?.headers.authorization).toBe('Bearer secret');
    expect(b.received.map((r) => [r.method, r.path, r.body.toString(), r.headers.authorization])).toEqual([
      ['POST', '/temporary', 'payload', undefined],
      ['GET', '/see-other', '', undefined],
    ]);
  });
});

describe('status and content type', () => {
  it('turns a non-2xx answer into http-error', async () => {
    const s = await server((req, res) => {
      res.writeHead(req.url === '/gone' ? 410 : req.url === '/busy' ? 429 : 500, req.url === '/busy' ? { 'retry-after': '120' } : {});
      res.end('no');
    });
    expect(await fetcher().fetch(`${s.base}/busy`)).toMatchObject({ ok: false, reason: { type: 'http-error', status: 429, retryAfter: '120' } });
    expect(await fetcher().fetch(`${s.base}/gone`)).toMatchObject({ ok: false, reason: { type: 'http-error', status: 410 } });
    expect(await fetcher().fetch(`${s.base}/boom`)).toMatchObject({ ok: false, reason: { type: 'http-error', status: 500 } });
  });

  it('refuses a body of another content type than asked for', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html>{}</html>');
    });
    expect(await fetcher().fetchJson(`${s.base}/`)).toMatchObject({ ok: false, reason: { type: 'bad-content-type', contentType: 'text/html; charset=utf-8' } });
    expect(await fetcher().fetch(`${s.base}/`, { contentTypes: ['application/activity+json'] })).toMatchObject({ ok: false, reason: { type: 'bad-content-type' } });
    expect(await fetcher().fetch(`${s.base}/`)).toMatchObject({ ok: true });
  });

  it('refuses JSON nested too deep', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/activity+json' });
      res.end(`${'['.repeat(1000)}${']'.repeat(1000)}`);
    });
    expect(await fetcher().fetchJson(`${s.base}/`)).toMatchObject({ ok: false, reason: { type: 'bad-json', message: /deeper than 32/ } });
  });
});

describe('the negative cache', () => {
  it('answers a recent failure from memory until its TTL passes', async () => {
    const s = await server((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const clock = createManualClock();
    const f = fetcher({ clock, negativeCacheTtlMs: 60_000 });
    expect(await f.fetch(`${s.base}/a`)).toMatchObject({ ok: false, reason: { status: 503 } });
    expect(await f.fetch(`${s.base}/a`)).toMatchObject({ ok: false, reason: { status: 503 }, fromNegativeCache: true });
    expect(s.received).toHaveLength(1);
    expect(await f.fetch(`${s.base}/a`, { bypassNegativeCache: true })).toMatchObject({ ok: false });
    expect(s.received).toHaveLength(2);
    clock.advance(60_000);
    expect(await f.fetch(`${s.base}/a`)).not.toHaveProperty('fromNegativeCache');
    expect(s.received).toHaveLength(3);
  });

  it('does not remember 401/403 (a signed request may follow) nor bad content types', async () => {
    const s = await server((req, res) => {
      if (req.url === '/html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<p>');
      }
      res.writeHead(401);
      res.end();
    });
    const f = fetcher({ clock: createManualClock(), negativeCacheTtlMs: 60_000 });
    await f.fetch(`${s.base}/private`);
    await f.fetchJson(`${s.base}/html`);
    expect(await f.fetch(`${s.base}/private`)).toMatchObject({ ok: false, reason: { status: 401 } });
    expect(await f.fetch(`${s.base}/html`)).toMatchObject({ ok: true });
    expect(s.received).toHaveLength(4);
  });
});

describe('signed GETs', () => {
  let ours: ActorKeyPair;
  const ourActor = 'https://us.example/accounts/peertube';
  beforeAll(async () => {
    ours = await generateActorKeyPair();
  });

  /** An instance that answers only GETs signed by our instance actor, for its own host. */
  function authorizedFetchServer() {
    return server((req, res, received) => {
      void verifyRequestSignature({
        request: { method: received.method, path: received.path, headers: received.headers as HeaderMap },
        now: new Date(),
        expectedHost: `127.0.0.1:${(req.socket.localPort ?? 0).toString()}`,
        fetchPublicKey: async (keyId) =>
          keyId === ourActor ? { ok: true, key: { id: keyId, owner: ourActor, publicKeyPem: ours.publicKeyPem } } : { ok: false, reason: { type: 'unknown-key' } },
      }).then((verified) => {
        if (!verified.ok) return sendJson(res, { error: verified.reason.type }, 'application/json', 401);
        sendJson(res, { id: `http://127.0.0.1:${req.socket.localPort}${req.url}`, signedBy: verified.owner });
      });
    });
  }

  it('signs (request-target) host date, and the remote verifies it', async () => {
    const remote = await authorizedFetchServer();
    const f = fetcher();
    const signed = await f.fetchJson(`${remote.base}/accounts/alice?page=1`, { signWith: { keyId: ourActor, privateKeyPem: ours.privateKeyPem } });
    expect(signed).toMatchObject({ ok: true, json: { signedBy: ourActor } });
    expect(String(remote.received[0]?.headers.signature)).toContain('headers="(request-target) host date"');
    expect(await f.fetchJson(`${remote.base}/accounts/alice`)).toMatchObject({ ok: false, reason: { type: 'http-error', status: 401 } });
  });

  it('signs again for each redirect hop (the host changes)', async () => {
    const remote = await authorizedFetchServer();
    const front = await server((req, res) => {
      res.writeHead(301, { location: `${remote.base}${req.url}` });
      res.end();
    });
    const signed = await fetcher().fetchJson(`${front.base}/accounts/alice`, { signWith: { keyId: ourActor, privateKeyPem: ours.privateKeyPem } });
    expect(signed).toMatchObject({ ok: true, json: { signedBy: ourActor }, url: `${remote.base}/accounts/alice` });
  });
});
