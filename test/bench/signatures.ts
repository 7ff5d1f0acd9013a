// Micro-benchmark of the signature layer (run on demand: `npx tsx test/bench/signatures.ts`).
// Prints operations per second and the ratio of a full request verification to the bare RSA
// verification measured in the same run.
import { createPublicKey, sign, verify, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PEERTUBE_REAL_DIR } from '../support/reference.js';
import {
  generateActorKeyPair,
  signJsonLd,
  signRequest,
  verifyJsonLd,
  verifyRequestSignature,
  type FetchPublicKey,
} from '../../src/federation/signatures/index.js';

interface Figure {
  readonly name: string;
  readonly opsPerSecond: number;
}

async function measure(name: string, seconds: number, op: () => unknown): Promise<Figure> {
  for (let i = 0; i < 20; i++) await op(); // warm-up
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  let count = 0;
  while (performance.now() < deadline) {
    await op();
    count++;
  }
  return { name, opsPerSecond: count / ((performance.now() - start) / 1000) };
}

export async function benchSignatures(seconds = 1): Promise<Figure[]> {
  const keys = await generateActorKeyPair();
  const actor = 'https://a.example/accounts/alice';
  const keyId = `${actor}#main-key`;
  const now = new Date('2026-11-22T19:11:19Z');
  const body = JSON.stringify({ type: 'Create', actor, object: { type: 'Note', content: 'x'.repeat(500) } });
  const headers = signRequest({ method: 'POST', url: 'https://b.example/inbox', body, keyId, privateKeyPem: keys.privateKeyPem, now });
  const fetchPublicKey: FetchPublicKey = () => Promise.resolve({ ok: true, key: { id: keyId, owner: actor, publicKeyPem: keys.publicKeyPem }, cached: true });
  const parsedKey = { id: keyId, owner: actor, publicKeyPem: keys.publicKeyPem, keyObject: createPublicKey(keys.publicKeyPem) };
  const fetchParsedKey: FetchPublicKey = () => Promise.resolve({ ok: true, key: parsedKey, cached: true });

  const message = Buffer.from('(request-target): post /inbox\nhost: b.example\ndate: Sun, 22 Nov 2026 19:11:19 GMT');
  const publicKey = createPublicKey(keys.publicKeyPem);
  const privateKeyObject = createPrivateKey(keys.privateKeyPem);
  const rawSignature = sign('sha256', message, privateKeyObject);

  const cacheFile = JSON.parse(
    readFileSync(`${PEERTUBE_REAL_DIR}/activity-Create-CacheFile-hls-received-by-a.json`, 'utf8'),
  ) as Record<string, unknown>;
  const cacheFileKey = (
    JSON.parse(readFileSync(`${PEERTUBE_REAL_DIR}/actor-instance-peertube-9001.json`, 'utf8')) as {
      publicKey: { publicKeyPem: string };
    }
  ).publicKey.publicKeyPem;
  const ownDocument = await signJsonLd(
    { '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'], id: `${actor}/a/1`, type: 'Create', actor, object: { id: `${actor}/n/1`, type: 'Note', content: 'hi' } },
    { creator: keyId, privateKeyPem: keys.privateKeyPem, now },
  );

  const figures = [
    await measure('RSA-2048 verify (crypto.verify, parsed key) — baseline', seconds, () => verify('sha256', message, publicKey, rawSignature)),
    await measure('RSA-2048 verify (PEM parsed each time)', seconds, () => verify('sha256', message, createPublicKey(keys.publicKeyPem), rawSignature)),
    await measure('full request verification, key cached as PEM (POST 0.6 kB)', seconds, async () => {
      const result = await verifyRequestSignature({ request: { method: 'POST', path: '/inbox', headers, body }, now, fetchPublicKey });
      if (!result.ok) throw new Error(JSON.stringify(result.reason));
    }),
    await measure('full request verification, key cached as KeyObject (POST 0.6 kB)', seconds, async () => {
      const result = await verifyRequestSignature({ request: { method: 'POST', path: '/inbox', headers, body }, now, fetchPublicKey: fetchParsedKey });
      if (!result.ok) throw new Error(JSON.stringify(result.reason));
    }),
    await measure('request refused on Digest before any key lookup', seconds, () =>
      verifyRequestSignature({ request: { method: 'POST', path: '/inbox', headers, body: `${body} ` }, now, fetchPublicKey }),
    ),
    await measure('signRequest (RSA-2048 sign, POST, key as PEM)', seconds, () =>
      signRequest({ method: 'POST', url: 'https://b.example/inbox', body, keyId, privateKeyPem: keys.privateKeyPem, now }),
    ),
    await measure('signRequest (RSA-2048 sign, POST, key as KeyObject)', seconds, () =>
      signRequest({ method: 'POST', url: 'https://b.example/inbox', body, keyId, privateKeyPem: privateKeyObject, now }),
    ),
    await measure('verifyJsonLd (real PeerTube CacheFile, 1024-bit key)', seconds, async () => {
      const result = await verifyJsonLd(cacheFile, cacheFileKey);
      if (!result.ok) throw new Error(JSON.stringify(result.reason));
    }),
    await measure('verifyJsonLd (small Create Note, 2048-bit key)', seconds, () => verifyJsonLd(ownDocument, keys.publicKeyPem)),
  ];

  const baseline = figures[0]?.opsPerSecond ?? 1;
  for (const figure of figures) {
    console.log(`${figure.name.padEnd(68)} ${figure.opsPerSecond.toFixed(0).padStart(8)} /s   ×${(figure.opsPerSecond / baseline).toFixed(2)}`);
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchSignatures(Number(process.env.BENCH_SECONDS ?? 1));
}
