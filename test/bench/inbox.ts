// Inbox throughput: signed activities verified (HTTP signature, Digest, origin rules) and stored
// durably (activity row + processing job, one transaction each) per second, beside raw RSA-2048
// verifications per second measured in the same run.
//   npx tsx test/bench/inbox.ts [count] [postgres|embedded] [concurrent requests]
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { openDatabase } from '../../src/db/index.js';
import { createPrismaInboxStore } from '../../src/federation/inbox/inbox-store.js';
import { createActivityReceiver } from '../../src/federation/inbox/receive-activity.js';
import { signRequest, type FetchPublicKey } from '../../src/federation/signatures/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestDatabase } from '../support/database.js';

const count = Number(process.argv[2] ?? 3000);
const kind = (process.argv[3] ?? 'postgres') as 'postgres' | 'embedded';
const concurrency = Number(process.argv[4] ?? 64);
const logger = createLogger({ level: 'silent' });

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const keyObject = createPublicKey(publicKey);
const actor = 'https://remote.example/accounts/peertube';
const fetchPublicKey: FetchPublicKey = async () => ({ ok: true, key: { id: `${actor}#main-key`, owner: actor, publicKeyPem: publicKey, keyObject }, cached: true });

// Baseline: raw RSA verifications of a signature of the same size, same key.
const sample = Buffer.from('(request-target): post /inbox\nhost: local.example\ndate: x\ndigest: SHA-256=y');
const sig = sign('sha256', sample, privateKey);
let rawCount = 0;
const rawStart = performance.now();
while (performance.now() - rawStart < 2000) {
  verify('sha256', sample, keyObject, sig);
  rawCount++;
}
const rawPerSecond = rawCount / ((performance.now() - rawStart) / 1000);

const db = await createTestDatabase(kind);
const database = await openDatabase({ url: db.url, dataDir: 'memory://', logger, poolSize: 8 });
const receiver = createActivityReceiver({
  store: createPrismaInboxStore(database.prisma),
  clock: systemClock,
  host: 'local.example',
  fetchPublicKey,
  maxBodyBytes: 1024 * 1024,
  maxCollectionItems: 100,
  jobKind: 'activitypub-inbox',
  jobMaxAttempts: 5,
  wake: () => {},
});

// Sign every request before timing (signing is the sender's cost, not ours).
const requests = Array.from({ length: count }, (_, i) => {
  const body = Buffer.from(
    JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actor}/views/${i}`, type: 'View', actor, object: `https://local.example/videos/watch/${i}` }),
  );
  const headers = signRequest({ method: 'POST', url: 'https://local.example/inbox', body, keyId: `${actor}#main-key`, privateKeyPem: privateKey, now: new Date() });
  return {
    method: 'POST',
    path: '/inbox',
    headers: { host: headers.Host, date: headers.Date, digest: headers.Digest!, signature: headers.Signature, 'content-type': 'application/activity+json' },
    body,
  };
});

let next = 0;
let accepted = 0;
const start = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const r = await receiver.receive(requests[next++]!);
      if (r.ok) accepted += r.value.accepted;
      else throw new Error(`refused: ${JSON.stringify(r.reason)}`);
    }
  }),
);
const seconds = (performance.now() - start) / 1000;
const stored = await database.prisma.inboxActivity.count();
await database.close();
await db.drop();

const perSecond = accepted / seconds;
console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; database: ${kind}`);
console.log(`raw RSA-2048 verifications (baseline)          ${rawPerSecond.toFixed(0).padStart(8)} /s`);
console.log(`signed activities verified and stored         ${perSecond.toFixed(0).padStart(8)} /s   (${accepted} in ${seconds.toFixed(2)} s, ${stored} rows, concurrency ${concurrency})`);
console.log(`ratio stored/raw                               ${(perSecond / rawPerSecond).toFixed(3)}   (goal: at least 2,000 activities/s)`);
