import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/federation/signatures/index.js';
import { createMutator, type Json } from '../../support/fuzz-mutations.js';
import { generatedClip } from '../../support/media.js';
import { prng } from '../../support/prng.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

/**
 * Seeded fuzzing (issue 10): 1,000 mutated activities (from PeerTube's real traffic) posted to the
 * inboxes, unsigned and signed by a real remote actor, and 200 mutated REST bodies; no answer may
 * be a 5xx and the process must keep answering. The seed is printed; MT_FUZZ_SEED replays a run.
 */
const SEED = process.env.MT_FUZZ_SEED ? Number(process.env.MT_FUZZ_SEED) : Date.now() % 2 ** 31;
const ACTIVITIES = 1000;
const REST_BODIES = 200;
const CONCURRENCY = 6;

interface Failure {
  what: string;
  labels: string[];
  status: number;
  answer: string;
}

/** The activities PeerTube sent in the captures, with their hosts mapped onto the test instances. */
function loadCorpus(map: (text: string) => string): Json[] {
  const docs: Json[] = [];
  for (const f of readdirSync(PEERTUBE_REAL_DIR).filter((n) => n.startsWith('activity-') && n.endsWith('.json'))) {
    docs.push(JSON.parse(map(readFileSync(join(PEERTUBE_REAL_DIR, f), 'utf8'))) as Json);
  }
  for (const line of readFileSync(join(PEERTUBE_REAL_DIR, 'session-2', 'to-mirrortube.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const exchange = JSON.parse(line) as { method: string; url: string; requestBody: string };
    if (exchange.method !== 'POST' || !exchange.url.endsWith('/inbox')) continue;
    try {
      docs.push(JSON.parse(map(exchange.requestBody)) as Json);
    } catch {
      // a body that was not JSON: the corpus is what PeerTube sent, nothing to mutate
    }
  }
  return docs;
}

async function pool<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

describe(`fuzz (seed ${SEED})`, () => {
  let receiver: TestInstance;
  let sender: TestInstance;
  let actor: { url: string; keyId: string; privateKeyPem: string };
  let corpus: Json[] = [];
  const random = prng(SEED);
  const mutator = createMutator(random);

  beforeAll(async () => {
    console.log(`fuzz seed: ${SEED} (replay with MT_FUZZ_SEED=${SEED})`);
    // lean instances: no transcoding, seeding or tracker (not what is fuzzed here)
    const lean = { transcoding: { enabled: false }, seeding: { enabled: false }, tracker: { enabled: false } };
    [receiver, sender] = await Promise.all([startTestInstance({ db: 'postgres', overrides: lean }), startTestInstance({ db: 'embedded', overrides: lean })]);
    const a = await sender.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'peertube', host: null } });
    actor = { url: a.url, keyId: a.keyId!, privateKeyPem: a.privateKeyPem! };
    corpus = loadCorpus((text) => text.replaceAll('http://localhost:9000', sender.url).replaceAll('http://localhost:9001', sender.url).replaceAll('http://localhost:19500', receiver.url));
  });
  afterAll(async () => {
    await Promise.all([receiver, sender].filter(Boolean).map((i) => i.stop()));
  });

  async function record(failures: Failure[], what: string, labels: string[], res: Response): Promise<void> {
    const answer = await res.text();
    if (res.status >= 500) failures.push({ what, labels, status: res.status, answer: answer.slice(0, 300) });
  }

  const report = (failures: Failure[]) =>
    failures
      .slice(0, 10)
      .map((f) => `${f.status} ${f.what} [${f.labels.join(', ')}]: ${f.answer}`)
      .join('\n');

  it(`posts ${ACTIVITIES} mutated activities to the inboxes without a 5xx`, async () => {
    expect(corpus.length).toBeGreaterThan(20);
    const cases = Array.from({ length: ACTIVITIES }, (_v, i) => {
      const { doc, labels } = mutator.mutate(mutator.pick(corpus));
      const signed = i % 2 === 0;
      // signed ones come from the signer, so they pass the door and reach the handlers
      if (signed && doc !== null && typeof doc === 'object' && !Array.isArray(doc) && random() < 0.9) doc.actor = actor.url;
      const path = mutator.pick(['/inbox', '/inbox', '/accounts/peertube/inbox', '/accounts/root/inbox', '/video-channels/root_channel/inbox']);
      return { i, doc, labels, signed, path };
    });
    const failures: Failure[] = [];
    let accepted = 0;
    await pool(cases, CONCURRENCY, async (c) => {
      const url = `${receiver.url}${c.path}`;
      const body = JSON.stringify(c.doc);
      const headers: Record<string, string> = { 'content-type': 'application/activity+json' };
      if (c.signed) {
        const s = signRequest({ method: 'POST', url, body, keyId: actor.keyId, privateKeyPem: actor.privateKeyPem, now: new Date() });
        Object.assign(headers, { date: s.Date, digest: s.Digest!, signature: s.Signature });
      }
      const res = await fetch(url, { method: 'POST', headers, body });
      if (res.status < 300) accepted++;
      await record(failures, `#${c.i} ${c.signed ? 'signed' : 'unsigned'} POST ${c.path}`, c.labels, res);
    });
    expect(failures, `seed ${SEED}: ${failures.length} answers were 5xx:\n${report(failures)}`).toEqual([]);
    // the signed half really reached the door's far side (else the fuzz tests nothing past it)
    expect(accepted).toBeGreaterThan(ACTIVITIES / 20);
    expect((await fetch(`${receiver.url}/healthz`)).status).toBe(200);
  });

  it(`sends ${REST_BODIES} mutated REST bodies without a 5xx`, async () => {
    const clip = await generatedClip({ seconds: 1 });
    const uploaded = await receiver.uploadMultipart(clip, { name: 'fuzz target', channelId: '1', privacy: '1' });
    expect(uploaded.status).toBe(200);
    const video = ((await uploaded.json()) as { video: { id: number; uuid: string } }).video;
    const client = await receiver.json<{ client_id: string; client_secret: string }>('/api/v1/oauth-clients/local', { token: null });
    const policy = await receiver.json<Json>('/api/v1/server/redundancy/policy');
    const attributes: Json = {
      name: 'fuzzed',
      channelId: 1,
      privacy: 1,
      category: 1,
      licence: 1,
      language: 'en',
      description: 'a description',
      support: 'support',
      nsfw: false,
      tags: ['one', 'two'],
      commentsEnabled: true,
      downloadEnabled: true,
      waitTranscoding: false,
      originallyPublishedAt: '2020-01-01T00:00:00.000Z',
    };
    const targets: { name: string; method: string; path: string; base: Json; headers?: Record<string, string>; token?: string | null }[] = [
      { name: 'upload', method: 'POST', path: '/api/v1/videos/upload-resumable', base: { ...attributes, filename: 'clip.mp4' }, headers: { 'x-upload-content-length': '1000', 'x-upload-content-type': 'video/mp4' } },
      { name: 'video update', method: 'PUT', path: `/api/v1/videos/${video.uuid}`, base: attributes },
      { name: 'follows', method: 'POST', path: '/api/v1/server/following', base: { hosts: ['127.0.0.1:9'], handles: ['someone@127.0.0.1:9'] } },
      { name: 'redundancy policy', method: 'PUT', path: '/api/v1/server/redundancy/policy', base: policy },
      { name: 'redundancy host', method: 'PUT', path: '/api/v1/server/redundancy/127.0.0.1:9', base: { redundancyAllowed: true } },
      { name: 'manual copy', method: 'POST', path: '/api/v1/server/redundancy/videos', base: { videoId: video.id } },
      { name: 'users', method: 'POST', path: '/api/v1/users', base: { username: 'fuzzed', password: 'fuzzed-password', email: 'fuzzed@example.org', role: 2, videoQuota: -1, videoQuotaDaily: -1 } },
      { name: 'token', method: 'POST', path: '/api/v1/users/token', base: { ...client, grant_type: 'password', username: 'root', password: 'wrong password' }, token: null },
      { name: 'playback', method: 'POST', path: '/api/v1/metrics/playback', base: { playerMode: 'web-video', resolution: 240, p2pEnabled: false, p2pPeers: 0, resolutionChanges: 0, bufferStalled: 0, errors: 0, downloadedBytesP2P: 0, downloadedBytesHTTP: 1, uploadedBytesP2P: 0, videoId: video.id }, token: null },
    ];
    const cases = Array.from({ length: REST_BODIES }, (_v, i) => {
      const target = targets[i % targets.length]!;
      const { doc, labels } = mutator.mutate(target.base);
      // a third are sent form-encoded (the token endpoint's usual form), the rest as JSON
      const form = random() < 0.33 && doc !== null && typeof doc === 'object' && !Array.isArray(doc);
      return { i, target, doc, labels, form };
    });
    const failures: Failure[] = [];
    await pool(cases, CONCURRENCY, async (c) => {
      const body = c.form
        ? new URLSearchParams(Object.entries(c.doc as Record<string, Json>).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
        : JSON.stringify(c.doc);
      const res = await receiver.api(c.target.path, {
        method: c.target.method,
        token: c.target.token,
        headers: { ...(c.form ? {} : { 'content-type': 'application/json' }), ...c.target.headers },
        body,
      });
      await record(failures, `#${c.i} ${c.target.name} ${c.target.method} ${c.target.path}${c.form ? ' (form)' : ''}`, c.labels, res);
    });
    expect(failures, `seed ${SEED}: ${failures.length} answers were 5xx:\n${report(failures)}`).toEqual([]);
    expect((await fetch(`${receiver.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${receiver.url}/readyz`)).status).toBe(200);
  });
});
