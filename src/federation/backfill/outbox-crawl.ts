import { z } from 'zod';
import { fail, ok, type Result } from '../../lib/result.js';

/** A video an outbox names: its URL, and its object when the item embeds it (Create). */
export interface OutboxVideoRef {
  url: string;
  object?: Record<string, unknown>;
  /** the object's `published`, when embedded */
  published?: string;
}

export type CrawlRefusal = { type: 'unreachable' | 'invalid-collection'; message: string };
export type FetchDocument = (url: string) => Promise<Result<unknown, { type: string; message: string }>>;

const link = z.union([z.string(), z.record(z.string(), z.unknown())]);
const collectionSchema = z.object({ type: z.string().optional(), first: link.optional(), orderedItems: z.array(z.unknown()).optional(), next: link.optional() });
const itemSchema = z.object({ type: z.string(), object: link });

const idOf = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined;

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/** The video an outbox item is about: `Create` of a Video (embedded), `Announce` of a video (URL or object). */
function videoRef(item: unknown): OutboxVideoRef | null {
  const parsed = itemSchema.safeParse(item);
  if (!parsed.success) return null;
  const { type, object } = parsed.data;
  const url = idOf(object);
  if (!url || hostOf(url) === null) return null;
  if (type === 'Create' || type === 'Announce') {
    if (typeof object === 'string') return type === 'Announce' ? { url } : null;
    if (object.type !== 'Video') return null;
    return { url, object, ...(typeof object.published === 'string' ? { published: object.published } : {}) };
  }
  return null;
}

/**
 * Walks an outbox (an OrderedCollection, paged by `first`/`next`, as PeerTube serves it) and
 * returns the `maxVideos` newest videos of its own host it names, newest first. PeerTube (and we)
 * list outboxes newest first (`-createdAt`), so the walk stops as soon as it has `maxVideos`
 * of them; among those, embedded objects' `published` dates, when every one has one, decide the
 * order. Pages are followed only on the outbox's own host, at most `maxPages` of them, never the
 * same page twice.
 */
export async function crawlOutboxVideos(input: { outboxUrl: string; fetch: FetchDocument; maxVideos: number; maxPages: number; signal?: AbortSignal }): Promise<Result<{ videos: OutboxVideoRef[]; pages: number }, CrawlRefusal>> {
  const host = hostOf(input.outboxUrl);
  if (host === null) return fail({ type: 'invalid-collection', message: `not a URL: ${input.outboxUrl}` });
  if (input.maxVideos <= 0) return ok({ videos: [], pages: 0 });
  const head = await input.fetch(input.outboxUrl);
  if (!head.ok) return fail({ type: 'unreachable', message: head.reason.message });
  const summary = collectionSchema.safeParse(head.value);
  if (!summary.success) return fail({ type: 'invalid-collection', message: `${input.outboxUrl} is not a collection` });

  // distinct videos in outbox order, by URL (a Create and an Announce of one video count once)
  const found = new Map<string, OutboxVideoRef>();
  const full = () => found.size >= input.maxVideos;
  const take = (items: unknown[] | undefined) => {
    for (const item of items ?? []) {
      if (full()) return;
      const ref = videoRef(item);
      // videos the actor shares from other hosts are not its catalogue
      if (!ref || hostOf(ref.url) !== host) continue;
      const previous = found.get(ref.url);
      if (!previous || (!previous.object && ref.object)) found.set(ref.url, ref);
    }
  };
  take(summary.data.orderedItems);

  const seen = new Set<string>([input.outboxUrl]);
  let next = summary.data.first;
  let pages = 0;
  while (next !== undefined && pages < input.maxPages && !full()) {
    if (input.signal?.aborted) return fail({ type: 'unreachable', message: 'stopped' });
    let body: unknown = next;
    if (typeof next === 'string') {
      if (hostOf(next) !== host || seen.has(next)) break;
      seen.add(next);
      const fetched = await input.fetch(next);
      if (!fetched.ok) return fail({ type: 'unreachable', message: fetched.reason.message });
      body = fetched.value;
    }
    pages++;
    const page = collectionSchema.safeParse(body);
    if (!page.success) return fail({ type: 'invalid-collection', message: `a page of ${input.outboxUrl} is not a collection page` });
    take(page.data.orderedItems);
    next = page.data.next;
  }

  const videos = [...found.values()];
  if (videos.every((v) => v.published !== undefined && !Number.isNaN(Date.parse(v.published)))) {
    videos.sort((a, b) => Date.parse(b.published!) - Date.parse(a.published!));
  }
  return ok({ videos, pages });
}
