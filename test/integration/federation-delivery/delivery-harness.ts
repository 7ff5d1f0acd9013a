// Shared set-up for delivery's integration tests: a migrated database with a local signing actor,
// the delivery service and handlers on a job queue driven by a manual clock, and inbox servers on
// 127.0.0.1 that verify every POST's HTTP signature against the sender's key in the database.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pino } from 'pino';
import { openDatabase, type Database } from '../../../src/db/index.js';
import {
  createDeliveryHandlers,
  createDeliveryService,
  createHostHealthStore,
  createPrismaSignerKeyStore,
  DELIVERY_JOB,
  type DeliveryJobKinds,
  type DeliveryMetrics,
  type DeliveryOptions,
  type DeliveryOutcome,
  type DeliveryQueue,
  type DeliveryService,
  type DeliveryTransport,
} from '../../../src/federation/delivery/index.js';
import { generateActorKeyPair, verifyRequestSignature, type ActorKeyPair, type VerifyRequestResult } from '../../../src/federation/signatures/index.js';
import { createJobQueue, createJobStore, type JobQueue } from '../../../src/jobs/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createTestDatabase, type TestDatabaseKind } from '../../support/database.js';
import { freePort } from '../../support/ports.js';

export const silentLogger = pino({ level: 'silent' });
export const LOCAL_HOST = 'us.example';
export const ACTOR_URL = `https://${LOCAL_HOST}/accounts/peertube`;

/** Polls `probe` until it returns something other than undefined/false, for at most `timeoutMs` real time. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface DeliveryTestDatabase {
  db: Database;
  actorId: number;
  keys: ActorKeyPair;
  close(): Promise<void>;
}

/** A fresh database holding our instance actor (the signer). */
export async function openDeliveryTestDatabase(kind: TestDatabaseKind): Promise<DeliveryTestDatabase> {
  const target = await createTestDatabase(kind);
  const db = await openDatabase({ url: target.url, dataDir: target.dataDir ?? 'memory://', logger: silentLogger, poolSize: 8 });
  const keys = await generateActorKeyPair();
  const actor = await db.prisma.actor.create({
    data: {
      type: 'Application',
      preferredUsername: 'peertube',
      host: null,
      url: ACTOR_URL,
      inboxUrl: `${ACTOR_URL}/inbox`,
      sharedInboxUrl: `https://${LOCAL_HOST}/inbox`,
      keyId: `${ACTOR_URL}#main-key`,
      publicKeyPem: keys.publicKeyPem,
      privateKeyPem: keys.privateKeyPem,
    },
  });
  return {
    db,
    actorId: actor.id,
    keys,
    async close() {
      await db.close();
      await target.drop();
    },
  };
}

export interface ReceivedPost {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  verification: VerifyRequestResult;
  /** The status the server answered. */
  status: number;
}

export type Responder = (request: { path: string; index: number }) => number | { status: number; headers?: Record<string, string> } | 'hang';

export interface InboxServer {
  port: number;
  host: string;
  url(path?: string): string;
  received: ReceivedPost[];
  /** POSTs answered 2xx. */
  accepted(): ReceivedPost[];
  respond: Responder;
  /** Starts listening (again) on the same port. */
  listen(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An inbox on 127.0.0.1 that records each POST and checks its HTTP signature as a receiving
 * instance would (key looked up in the test database by keyId, host pinned, Digest over the raw bytes).
 */
export async function createInboxServer(
  db: Database,
  clock: { now(): Date },
  respond: Responder = () => 202,
  options: { listen?: boolean } = {},
): Promise<InboxServer> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const received: ReceivedPost[] = [];
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    const verification = await verifyRequestSignature({
      request: { method: req.method ?? 'GET', path, headers: req.headers, body },
      now: clock.now(),
      expectedHost: host,
      fetchPublicKey: async (keyId) => {
        const actor = await db.prisma.actor.findUnique({ where: { keyId } });
        if (!actor?.publicKeyPem) return { ok: false, reason: { type: 'unknown-key' } };
        return { ok: true, key: { id: keyId, owner: actor.url, publicKeyPem: actor.publicKeyPem } };
      },
    });
    const answer = inbox.respond({ path, index: received.length });
    if (answer === 'hang') {
      received.push({ path, headers: req.headers, body, verification, status: 0 });
      return; // never answers: the sender times out
    }
    const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
    // A real inbox refuses what does not verify.
    const finalStatus = verification.ok ? status : 401;
    received.push({ path, headers: req.headers, body, verification, status: finalStatus });
    res.writeHead(finalStatus, { 'content-type': 'application/json', ...headers });
    res.end(finalStatus >= 400 ? JSON.stringify({ error: `status ${finalStatus}` }) : '');
  }

  const inbox: InboxServer = {
    port,
    host,
    url: (path = '/inbox') => `http://${host}${path}`,
    received,
    accepted: () => received.filter((post) => post.status >= 200 && post.status < 300),
    respond,
    async listen() {
      server = createServer((req, res) => {
        handle(req, res).catch((err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        });
      });
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async close() {
      if (!server) return;
      const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closing;
      server = undefined;
    },
  };
  if (options.listen !== false) await inbox.listen();
  return inbox;
}

export interface MetricsRecorder extends DeliveryMetrics {
  outcomes: DeliveryOutcome[];
  requests: Array<number | 'timeout' | 'network'>;
  count(outcome: DeliveryOutcome): number;
}

export function recordMetrics(): MetricsRecorder {
  const outcomes: DeliveryOutcome[] = [];
  const requests: Array<number | 'timeout' | 'network'> = [];
  return {
    outcomes,
    requests,
    count: (outcome) => outcomes.filter((o) => o === outcome).length,
    deliveryFinished: (outcome) => outcomes.push(outcome),
    requestFinished: (_seconds, status) => requests.push(status),
  };
}

export const TEST_DELIVERY_OPTIONS: Partial<DeliveryOptions> = { requestTimeoutMs: 2000, userAgent: 'mirrortube-test' };

export interface DeliveryRig {
  clock: ReturnType<typeof createManualClock>;
  queue: JobQueue<DeliveryJobKinds>;
  delivery: DeliveryService;
  metrics: MetricsRecorder;
  /** Wakes the queue and waits until no delivery job is running or due. */
  runDue(): Promise<void>;
  /** Moves the clock to the earliest pending delivery job and runs what is due; false when none is pending. */
  advanceToNextDue(): Promise<boolean>;
  jobs(): ReturnType<Database['prisma']['job']['findMany']>;
  stop(): Promise<void>;
}

/** A job queue with the delivery handlers and a delivery service, on a manual clock. */
export async function startDeliveryRig(
  db: Database,
  start: Date,
  options: Partial<DeliveryOptions> = {},
  transport?: DeliveryTransport,
): Promise<DeliveryRig> {
  const clock = createManualClock(start);
  const metrics = recordMetrics();
  const port: DeliveryQueue = {
    enqueue: (kind, payload, enqueueOptions, tx) => queue.enqueue(kind, payload, enqueueOptions, tx),
    wake: (kind) => queue.wake(kind),
  };
  const merged = { ...TEST_DELIVERY_OPTIONS, ...options };
  const queue: JobQueue<DeliveryJobKinds> = createJobQueue<DeliveryJobKinds>({
    store: createJobStore(db.prisma, 'delivery-test'),
    clock,
    logger: silentLogger,
    workerId: 'delivery-test',
    // Long poll: the tests drive the queue with wake().
    pollIntervalMs: 60_000,
    leaseMs: 30_000,
    heartbeatMs: 10_000,
  });
  queue.register(DELIVERY_JOB, createDeliveryHandlers({ hosts: createHostHealthStore(db.prisma), signerKeys: createPrismaSignerKeyStore(db.prisma), queue: port, clock, metrics, options: merged, ...(transport ? { transport } : {}) })[DELIVERY_JOB]);
  const delivery = createDeliveryService({ hosts: createHostHealthStore(db.prisma), signerKeys: createPrismaSignerKeyStore(db.prisma), queue: port, clock, logger: silentLogger, metrics, options: merged, localHost: LOCAL_HOST });
  await queue.start();

  const idle = () =>
    waitFor(async () => {
      const busy = await db.prisma.job.count({
        where: { kind: DELIVERY_JOB, OR: [{ state: 'active' }, { state: 'pending', runAt: { lte: clock.now() } }] },
      });
      return busy === 0;
    }, 'deliveries to settle');

  return {
    clock,
    queue,
    delivery,
    metrics,
    async runDue() {
      queue.wake(DELIVERY_JOB);
      await idle();
    },
    async advanceToNextDue() {
      const next = await db.prisma.job.findFirst({ where: { kind: DELIVERY_JOB, state: 'pending' }, orderBy: [{ runAt: 'asc' }, { id: 'asc' }] });
      if (!next) return false;
      if (next.runAt.getTime() > clock.now().getTime()) clock.set(next.runAt);
      queue.wake(DELIVERY_JOB);
      await idle();
      return true;
    },
    jobs: () => db.prisma.job.findMany({ where: { kind: DELIVERY_JOB }, orderBy: { id: 'asc' } }),
    async stop() {
      await queue.stop({ deadlineMs: 1000 });
    },
  };
}

/** An activity of ours, with the contexts the LD signature needs. */
export function createActivity(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id: `https://${LOCAL_HOST}/activities/${id}`,
    type: 'Create',
    actor: ACTOR_URL,
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    object: { id: `https://${LOCAL_HOST}/notes/${id}`, type: 'Note', content: `note ${id}`, attributedTo: ACTOR_URL },
    ...extra,
  };
}
