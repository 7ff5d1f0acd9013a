import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { signRequest } from '../../../src/federation/signatures/index.js';
import { childInstanceEnv, startChildInstance } from '../../support/child-instance.js';
import { createTestDatabase } from '../../support/database.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { freePort, waitFor } from '../../support/ports.js';
import { readDatabase } from '../../support/read-database.js';

const PASSWORD = 'kill-9-inbox-password';
/** signed activities in the burst: Views (each counts one view of one of B's videos), a few Likes and a Follow */
const BURST = 300;
/** where the Likes are in the burst: the k-th by A's instance actor (k < 3) or root, of video k % 3 */
const LIKES_AT = [7, 57, 107, 157, 207, 257];
const FOLLOW_AT = 150;
const VIEWS = BURST - LIKES_AT.length - 1;
/** the kill comes once this many have been acknowledged: well inside the burst, with processing under way */
const KILL_AFTER = 120;
const SENDERS = 16;
const VIDEOS = 3;
const INBOX_JOB = 'activitypub-inbox';

type Fate = 'unsent' | 'in-flight' | 'acknowledged' | 'lost';

// Issue 10, "must show": the real `mirrortube` process is SIGKILLed in the middle of a burst of
// signed activities from another instance (Views, Likes, a Follow), on both databases, then restarted. Every activity
// answered 2xx before the kill is processed exactly once (durable before acknowledged: none lost,
// none counted twice), the ones not acknowledged are delivered by the sender's retry, no row stays
// pending, and every inbox job is completed.
for (const db of ['embedded', 'postgres'] as const) {
  describe(`faults: kill -9 during an inbox burst (${db})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.error('clean-up failed', err));
    });

    it('every activity acknowledged before the SIGKILL is processed exactly once; the retried rest too', async () => {
      // --- A: the sender (a real instance in this process, serving its actor and key); B: the child
      const storage = await mkdtemp(join(tmpdir(), 'mt-kill9-inbox-'));
      const database = await createTestDatabase(db, { storage });
      cleanups.push(async () => {
        await database.drop();
        await rm(storage, { recursive: true, force: true });
      });
      const a: TestInstance = await startTestInstance({ db });
      cleanups.push(() => a.stop());
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = {
        ...childInstanceEnv({ storage, port, password: PASSWORD }),
        ...(database.url ? { MIRRORTUBE_DATABASE__URL: database.url } : {}),
        MIRRORTUBE_FEDERATION__ALLOW_PRIVATE_ADDRESSES: 'true',
        MIRRORTUBE_TRANSCODING__ENABLED: 'false',
      };
      let server = await startChildInstance(env, port);
      const runs = [server];
      cleanups.push(async () => {
        for (const run of runs) {
          if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
          await run.exited;
        }
      });
      onTestFailed(() => {
        for (const [i, run] of runs.entries()) console.error(`--- B, run ${i + 1}:\n${run.output().slice(-4000)}`);
      });

      const login = async () => {
        const client = (await (await fetch(`${base}/api/v1/oauth-clients/local`)).json()) as Record<string, string>;
        const res = await fetch(`${base}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password: PASSWORD }) });
        return `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
      };
      let authorization = await login();

      // --- B's videos, the objects of the Views
      const clip = readFileSync(await generatedClip({ seconds: 2 }));
      const videos: { uuid: string; url: string }[] = [];
      for (let i = 0; i < VIDEOS; i++) {
        const form = new FormData();
        form.append('name', `viewed ${i}`);
        form.append('channelId', '1');
        form.append('videofile', new Blob([clip]), 'clip.mp4');
        const res = await fetch(`${base}/api/v1/videos/upload`, { method: 'POST', body: form, headers: { authorization } });
        expect(res.status).toBe(200);
        const { uuid } = ((await res.json()) as { video: { uuid: string } }).video;
        const { url } = (await (await fetch(`${base}/api/v1/videos/${uuid}`, { headers: { authorization } })).json()) as { url: string };
        videos.push({ uuid, url });
      }
      const totalOf = async (field: 'views' | 'likes') => {
        let sum = 0;
        for (const v of videos) sum += ((await (await fetch(`${base}/api/v1/videos/${v.uuid}`, { headers: { authorization } })).json()) as Record<typeof field, number>)[field];
        return sum;
      };
      const totalViews = () => totalOf('views');
      expect(await totalViews()).toBe(0);
      /** waits until B has no inbox job left to run (waiting, delayed or active) */
      const drained = (what: string) =>
        waitFor(what, async () => {
          for (const state of ['waiting', 'delayed', 'active']) {
            const list = (await (await fetch(`${base}/api/v1/jobs/${state}?jobType=${INBOX_JOB}&count=1`, { headers: { authorization } })).json()) as { total: number };
            if (list.total > 0) return undefined;
          }
          return true;
        }, 120_000, 100);

      // --- the burst: BURST signed activities from A's actors, SENDERS at a time: Views by A's
      // instance actor, each actor's Like of each video, and a Follow of B's instance actor
      const [actor, root] = await Promise.all(['peertube', 'root'].map((name) => a.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: name, host: null } })));
      const activities = Array.from({ length: BURST }, (_, i) => {
        const like = LIKES_AT.indexOf(i);
        const by = like >= 3 ? root! : actor!;
        const type = like >= 0 ? 'Like' : i === FOLLOW_AT ? 'Follow' : 'View';
        const activity = {
          '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
          id: `${by.url}/${type.toLowerCase()}s/kill-9-burst-${i}`,
          type,
          actor: by.url,
          object: type === 'Follow' ? `${base}/accounts/peertube` : videos[(like >= 0 ? like : i) % VIDEOS]!.url,
        };
        return { id: activity.id, type, body: JSON.stringify(activity), key: { keyId: by.keyId!, privateKeyPem: by.privateKeyPem! } };
      });
      const send = async (i: number): Promise<number | undefined> => {
        const { body, key } = activities[i]!;
        const h = signRequest({ method: 'POST', url: `${base}/inbox`, body, ...key, now: new Date() });
        const res = await fetch(`${base}/inbox`, { method: 'POST', body, headers: { 'content-type': 'application/activity+json', date: h.Date, digest: h.Digest!, signature: h.Signature } }).catch(() => undefined);
        await res?.arrayBuffer().catch(() => undefined);
        return res?.status;
      };
      const fate: Fate[] = Array.from({ length: BURST }, () => 'unsent');
      const refused: number[] = [];
      let next = 0;
      let killing = false;
      let reachKill!: () => void;
      const killPoint = new Promise<void>((resolve) => (reachKill = resolve));
      const acknowledged = () => fate.filter((f) => f === 'acknowledged').length;
      const sender = async () => {
        while (!killing && next < BURST) {
          const i = next++;
          fate[i] = 'in-flight';
          const status = await send(i);
          if (status === undefined) fate[i] = 'lost';
          else if (status >= 200 && status < 300) fate[i] = 'acknowledged';
          else {
            fate[i] = 'lost';
            refused.push(status);
          }
          if (acknowledged() >= KILL_AFTER) reachKill();
        }
      };
      const senders = Array.from({ length: SENDERS }, () => sender());
      // every activity answered before the kill, or the kill never came: either way the senders end
      await Promise.race([killPoint, Promise.all(senders)]);
      killing = true;
      server.child.kill('SIGKILL');
      await server.exited;
      expect(server.child.signalCode).toBe('SIGKILL');
      await Promise.all(senders);
      const ackedBeforeKill = fate.flatMap((f, i) => (f === 'acknowledged' ? [i] : []));
      expect(refused).toEqual([]);
      expect(ackedBeforeKill.length).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(ackedBeforeKill.length).toBeLessThan(BURST);
      // whatever was in flight at the kill may or may not have been stored: no answer, so not acknowledged
      expect(fate.every((f) => f !== 'in-flight')).toBe(true);

      // B's database as the kill left it: every acknowledged activity is there, each with its job
      const atKill = await readDatabase({ url: database.url, storage }, async (q) => ({
        rows: await q<{ activityId: string; type: string }>(`SELECT "activityId", type FROM "InboxActivity"`),
        jobs: (await q<{ n: number }>('SELECT count(*)::int AS n FROM "Job" WHERE kind = $1', [INBOX_JOB]))[0]!.n,
      }));
      const storedAtKill = new Set(atKill.rows.map((r) => r.activityId));
      expect(storedAtKill.size).toBe(atKill.rows.length);
      for (const i of ackedBeforeKill) expect(storedAtKill.has(activities[i]!.id)).toBe(true);
      expect(atKill.jobs).toBe(atKill.rows.length);
      const viewsAtKill = atKill.rows.filter((r) => r.type === 'View').length;
      const likesAtKill = atKill.rows.filter((r) => r.type === 'Like').length;

      // --- restart: what was stored is processed, once
      server = await startChildInstance(env, port);
      runs.push(server);
      authorization = await login();
      await drained('the stored activities to be processed after the restart');
      expect(await totalViews()).toBe(viewsAtKill);
      expect(await totalOf('likes')).toBe(likesAtKill);

      // --- the sender retries what was not acknowledged (and repeats a few that were: a lost answer)
      const retried = [...fate.keys()].filter((i) => fate[i] !== 'acknowledged');
      const repeats = ackedBeforeKill.slice(0, 10);
      for (const i of [...retried, ...repeats]) {
        const status = await send(i);
        expect(status === undefined ? 'no answer' : status >= 200 && status < 300 ? '2xx' : String(status)).toBe('2xx');
      }
      await drained('the retried activities to be processed');
      expect(await totalViews()).toBe(VIEWS);
      expect(await totalOf('likes')).toBe(LIKES_AT.length);
      const followers = (await (await fetch(`${base}/api/v1/server/followers`)).json()) as { total: number; data: { follower: { url: string }; state: string }[] };
      expect(followers.data.map((f) => [f.follower.url, f.state])).toEqual([[actor!.url, 'accepted']]);

      // --- after a clean stop: one processed row per activity, one completed job per row, nothing pending
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const atEnd = await readDatabase({ url: database.url, storage }, async (q) => ({
        rows: await q<{ type: string; state: string; n: number; ids: number }>(
          `SELECT type, state, count(*)::int AS n, count(DISTINCT "activityId")::int AS ids FROM "InboxActivity" GROUP BY type, state ORDER BY type, state`,
        ),
        jobs: await q<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM "Job" WHERE kind = $1 GROUP BY state', [INBOX_JOB]),
        notDone: await q<{ n: number }>(`SELECT count(*)::int AS n FROM "Job" WHERE state IN ('active', 'pending') AND kind = $1`, [INBOX_JOB]),
        views: await q<{ total: number; daily: number }>(
          `SELECT (SELECT coalesce(sum(views), 0)::int FROM "Video" WHERE "isLocal") AS total, (SELECT coalesce(sum(views), 0)::int FROM "VideoViewDaily") AS daily`,
        ),
      }));
      expect(atEnd.rows).toEqual([
        { type: 'Follow', state: 'processed', n: 1, ids: 1 },
        { type: 'Like', state: 'processed', n: LIKES_AT.length, ids: LIKES_AT.length },
        { type: 'View', state: 'processed', n: VIEWS, ids: VIEWS },
      ]);
      expect(atEnd.jobs).toEqual([{ state: 'completed', n: BURST }]);
      expect(atEnd.notDone).toEqual([{ n: 0 }]);
      expect(atEnd.views).toEqual([{ total: VIEWS, daily: VIEWS }]);
    }, 300_000);
  });
}
