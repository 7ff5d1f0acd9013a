import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { crawlOutboxVideos, createOutboxBackfill, type BackfillStore } from '../../../src/federation/backfill/index.js';
import type { JobContext } from '../../../src/jobs/index.js';
import { inboundActivity } from '../../support/fakes/inbound-activity.js';
import { fail, ok } from '../../../src/lib/result.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
const A = 'https://a.example';
const video = (n: number, extra: Record<string, unknown> = {}) => ({ type: 'Video', id: `${A}/videos/watch/v${n}`, to: [PUBLIC], cc: [], published: `2026-01-0${n}T00:00:00.000Z`, ...extra });
const announce = (n: number) => ({ type: 'Announce', id: `${A}/videos/watch/v${n}/announces/1`, actor: `${A}/accounts/peertube`, object: `${A}/videos/watch/v${n}` });

/** A served outbox: items newest first (PeerTube's order), `perPage` a page, PeerTube's `?page=N` links. */
function outbox(items: unknown[], perPage = 2, base = `${A}/accounts/peertube/outbox`) {
  const docs = new Map<string, unknown>();
  docs.set(base, { type: 'OrderedCollection', totalItems: items.length, ...(items.length ? { first: `${base}?page=1` } : {}) });
  for (let p = 1; (p - 1) * perPage < items.length; p++) {
    const more = p * perPage < items.length;
    docs.set(`${base}?page=${p}`, { type: 'OrderedCollectionPage', partOf: base, orderedItems: items.slice((p - 1) * perPage, p * perPage), ...(more ? { next: `${base}?page=${p + 1}` } : {}) });
  }
  const fetched: string[] = [];
  const fetchDoc = async (url: string) => {
    fetched.push(url);
    const doc = docs.get(url);
    return doc === undefined ? fail({ type: 'http-error', message: `${url} answered 404` }) : ok(doc);
  };
  return { docs, fetched, fetchDoc };
}

describe('crawlOutboxVideos', () => {
  it('follows the pages in order and stops once it has the newest maxVideos (outboxes list newest first)', async () => {
    const o = outbox([announce(5), announce(4), announce(3), announce(2), announce(1)]);
    const all = await crawlOutboxVideos({ outboxUrl: `${A}/accounts/peertube/outbox`, fetch: o.fetchDoc, maxVideos: 100, maxPages: 10 });
    expect(all.ok && all.value.videos.map((v) => v.url)).toEqual([5, 4, 3, 2, 1].map((n) => `${A}/videos/watch/v${n}`));
    expect(all.ok && all.value.pages).toBe(3);
    o.fetched.length = 0;
    const r = await crawlOutboxVideos({ outboxUrl: `${A}/accounts/peertube/outbox`, fetch: o.fetchDoc, maxVideos: 2, maxPages: 10 });
    expect(r.ok && r.value.videos.map((v) => v.url)).toEqual([`${A}/videos/watch/v5`, `${A}/videos/watch/v4`]);
    // the summary and the first page only
    expect(o.fetched).toEqual([`${A}/accounts/peertube/outbox`, `${A}/accounts/peertube/outbox?page=1`]);
  });

  it('orders by published when every item embeds a dated Video; Create and Announce of one video count once', async () => {
    const items = [
      { type: 'Create', object: video(3) },
      { type: 'Create', object: video(1) },
      announce(3),
      { type: 'Create', object: video(2) },
      { type: 'Like', object: `${A}/videos/watch/v9` },
      { type: 'Create', object: { type: 'Note', id: `${A}/notes/1` } },
      'garbage',
    ];
    const o = outbox(items, 3);
    const r = await crawlOutboxVideos({ outboxUrl: `${A}/accounts/peertube/outbox`, fetch: o.fetchDoc, maxVideos: 10, maxPages: 10 });
    expect(r.ok && r.value.videos.map((v) => [v.url, v.object !== undefined])).toEqual([
      [`${A}/videos/watch/v3`, true],
      [`${A}/videos/watch/v2`, true],
      [`${A}/videos/watch/v1`, true],
    ]);
  });

  it('is bounded: maxPages, no page of another host, no page twice', async () => {
    const o = outbox([announce(6), announce(5), announce(4), announce(3), announce(2), announce(1)], 1);
    const r = await crawlOutboxVideos({ outboxUrl: `${A}/accounts/peertube/outbox`, fetch: o.fetchDoc, maxVideos: 100, maxPages: 2 });
    expect(r.ok && r.value.videos.map((v) => v.url)).toEqual([`${A}/videos/watch/v6`, `${A}/videos/watch/v5`]);
    expect(o.fetched).toHaveLength(3);

    const base = `${A}/accounts/peertube/outbox`;
    const loop = outbox([announce(1)], 1);
    loop.docs.set(`${base}?page=1`, { type: 'OrderedCollectionPage', orderedItems: [announce(1)], next: `${base}?page=1` });
    const looped = await crawlOutboxVideos({ outboxUrl: base, fetch: loop.fetchDoc, maxVideos: 100, maxPages: 50 });
    expect(looped.ok && looped.value.pages).toBe(1);

    const away = outbox([announce(1)], 1);
    away.docs.set(`${base}?page=1`, { type: 'OrderedCollectionPage', orderedItems: [announce(1)], next: 'https://elsewhere.example/outbox?page=2' });
    await crawlOutboxVideos({ outboxUrl: base, fetch: away.fetchDoc, maxVideos: 100, maxPages: 50 });
    expect(away.fetched.some((u) => u.includes('elsewhere'))).toBe(false);
  });

  it('reads PeerTube 6.3\'s real outbox page (a Create with the Video embedded)', async () => {
    const page = JSON.parse(readFileSync(`${PEERTUBE_REAL_DIR}/outbox-root-page1-9000.json`, 'utf8')) as { orderedItems: { object: { id: string } }[] };
    const base = 'http://localhost:9000/accounts/root/outbox';
    const docs: Record<string, unknown> = { [base]: { type: 'OrderedCollection', totalItems: 1, first: `${base}?page=1` }, [`${base}?page=1`]: page };
    const r = await crawlOutboxVideos({ outboxUrl: base, fetch: async (url) => ok(docs[url]), maxVideos: 10, maxPages: 10 });
    expect(r.ok && r.value.videos.map((v) => [v.url, v.object?.type])).toEqual([[page.orderedItems[0]!.object.id, 'Video']]);
  });

  it('an unreachable outbox or page is a typed failure', async () => {
    const o = outbox([]);
    const r = await crawlOutboxVideos({ outboxUrl: `${A}/accounts/nobody/outbox`, fetch: o.fetchDoc, maxVideos: 10, maxPages: 10 });
    expect(r).toMatchObject({ ok: false, reason: { type: 'unreachable' } });
  });
});

describe('createOutboxBackfill', () => {
  const logger = pino({ level: 'silent' });
  const ctx = {} as JobContext;

  function setup(options: { following?: boolean; known?: string[]; maxVideos?: number } = {}) {
    const o = outbox([
      { type: 'Announce', object: 'https://other.example/videos/watch/x' },
      announce(4),
      announce(3),
      { type: 'Create', object: video(2, { to: [], cc: [PUBLIC] }) }, // unlisted
      announce(1),
    ]);
    for (const n of [1, 3]) o.docs.set(`${A}/videos/watch/v${n}`, video(n));
    o.docs.set(`${A}/videos/watch/v4`, video(4, { to: [`${A}/accounts/root`] })); // private to followers
    const store: BackfillStore = {
      acceptedFollowOf: async (url) => (options.following === false || url !== `${A}/accounts/peertube` ? null : { outboxUrl: `${A}/accounts/peertube/outbox`, host: 'a.example' }),
      isKnownVideo: async (url) => (options.known ?? []).includes(url),
    };
    const imported: string[] = [];
    const enqueued: string[] = [];
    const backfill = createOutboxBackfill({
      store,
      fetchObject: o.fetchDoc,
      importObject: async (doc) => {
        imported.push((doc as { id: string }).id);
        return ok({});
      },
      enqueue: async (actorUrl) => {
        enqueued.push(actorUrl);
      },
      logger,
      limits: { maxVideos: options.maxVideos ?? 100, maxPages: 100 },
    });
    return { backfill, imported, enqueued, o };
  }

  it('imports the public videos of the followed host, newest first; skips unlisted, private, known and foreign ones', async () => {
    const { backfill, imported, o } = setup({ known: [`${A}/videos/watch/v1`] });
    const result = await backfill.run({ actorUrl: `${A}/accounts/peertube` });
    expect(imported).toEqual([`${A}/videos/watch/v3`]);
    expect(result).toMatchObject({ outcome: 'crawled', imported: 1, failed: 0 });
    expect(o.fetched.some((u) => u.includes('other.example'))).toBe(false);
  });

  it('respects max_videos (the newest only) and does nothing once the follow is gone', async () => {
    const one = setup({ maxVideos: 1 });
    await one.backfill.run({ actorUrl: `${A}/accounts/peertube` });
    // the newest video of a.example is v4 (private): nothing older is looked at
    expect(one.imported).toEqual([]);
    expect(one.o.fetched).not.toContain(`${A}/videos/watch/v3`);
    const two = setup({ maxVideos: 2 });
    await two.backfill.run({ actorUrl: `${A}/accounts/peertube` });
    expect(two.imported).toEqual([`${A}/videos/watch/v3`]);
    const gone = setup({ following: false });
    expect(await gone.backfill.run({ actorUrl: `${A}/accounts/peertube` })).toEqual({ outcome: 'not-following' });
    expect(gone.o.fetched).toEqual([]);
  });

  it('stops between pages and between videos when the job is stopped', async () => {
    const { backfill, imported } = setup();
    const controller = new AbortController();
    controller.abort();
    await expect(backfill.run({ actorUrl: `${A}/accounts/peertube` }, { signal: controller.signal })).rejects.toThrow();
    expect(imported).toEqual([]);
  });

  it('an unreachable outbox throws (the job is retried)', async () => {
    const { backfill, o } = setup();
    o.docs.delete(`${A}/accounts/peertube/outbox`);
    await expect(backfill.run({ actorUrl: `${A}/accounts/peertube` })).rejects.toThrow(/cannot crawl/);
  });

  it('an Accept that leaves a follow accepted schedules the crawl; a skipped one or an unknown actor does not', async () => {
    const { backfill, enqueued } = setup();
    const activity = (actor: string) => inboundActivity({ id: `${actor}/accepts/1`, type: 'Accept', actor, signer: actor, body: {} });
    await backfill.afterAccept(async () => ({ status: 'processed' }))(activity(`${A}/accounts/peertube`), ctx);
    await backfill.afterAccept(async () => ({ status: 'skipped', why: 'no matching follow' }))(activity(`${A}/accounts/peertube`), ctx);
    await backfill.afterAccept(async () => ({ status: 'processed' }))(activity(`${A}/accounts/other`), ctx);
    expect(enqueued).toEqual([`${A}/accounts/peertube`]);
  });
});
