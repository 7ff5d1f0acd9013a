import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';

const AP = 'application/activity+json';
/** The keys under which actors and videos advertise collections (PeerTube's). */
const COLLECTION_KEYS = new Set(['outbox', 'followers', 'following', 'playlists', 'likes', 'dislikes', 'shares', 'comments']);

const summary = z.object({
  '@context': z.unknown(),
  id: z.string().url(),
  type: z.literal('OrderedCollection'),
  totalItems: z.number().int().min(0),
  first: z.string().url().optional(),
});
const page = z.object({
  id: z.string().url(),
  type: z.literal('OrderedCollectionPage'),
  partOf: z.string().url(),
  totalItems: z.number().int().min(0),
  orderedItems: z.array(z.unknown()),
  next: z.string().url().optional(),
  prev: z.string().url().optional(),
});

/** Every collection link (by PeerTube's key names) anywhere in a document. */
function collectionLinks(value: unknown, found: Map<string, string> = new Map()): Map<string, string> {
  if (Array.isArray(value)) for (const v of value) collectionLinks(v, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (COLLECTION_KEYS.has(k) && typeof v === 'string') found.set(v, k);
      else collectionLinks(v, found);
    }
  }
  return found;
}

describe('every collection our actors and videos advertise answers an OrderedCollection (embedded database)', () => {
  let t: TestInstance;
  let publicVideo: { uuid: string; url: string };
  let unlistedVideo: { uuid: string; url: string };

  const getAp = async (url: string) => {
    const res = await fetch(url, { headers: { accept: AP } });
    return { status: res.status, type: res.headers.get('content-type'), body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : null };
  };

  /** The collection answers 200 with a valid summary, and its pages (followed by `next`) are valid and hold totalItems items. */
  async function checkCollection(url: string): Promise<unknown[]> {
    const res = await getAp(url);
    expect(res.status, url).toBe(200);
    expect(res.type).toBe('application/activity+json; charset=utf-8');
    const head = summary.parse(res.body);
    expect(head.id).toBe(url);
    const items: unknown[] = [];
    let next = head.first;
    for (let i = 0; next !== undefined && i < 20; i++) {
      const p = await getAp(next);
      expect(p.status, next).toBe(200);
      const parsed = page.parse(p.body);
      expect(parsed.partOf).toBe(url);
      expect(parsed.totalItems).toBe(head.totalItems);
      items.push(...parsed.orderedItems);
      next = parsed.next;
    }
    expect(next).toBeUndefined();
    // counters (likes, dislikes) may have no item list: otherwise every item is listed
    if (items.length > 0) expect(items).toHaveLength(head.totalItems);
    // a page past the end is still a valid, empty page
    const beyond = await getAp(`${url}?page=999`);
    expect(beyond.status).toBe(200);
    expect(page.parse(beyond.body).orderedItems).toEqual([]);
    return items;
  }

  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded', overrides: { transcoding: { enabled: false } } });
    const clip = await generatedClip();
    const upload = async (name: string, privacy: string) => {
      const res = await t.uploadMultipart(clip, { name, channelId: '1', privacy });
      expect(res.status).toBe(200);
      const { video } = (await res.json()) as { video: { uuid: string } };
      const details = await t.json<{ uuid: string; url: string; state: { id: number } }>(`/api/v1/videos/${video.uuid}`);
      expect(details.state.id).toBe(1);
      return details;
    };
    publicVideo = await upload('public one', '1');
    unlistedVideo = await upload('unlisted one', '2');
  }); // the suite's timeout (test/vitest.config.ts) bounds it
  afterAll(async () => {
    await t?.stop();
  });

  it.each([['/accounts/peertube'], ['/accounts/root'], ['/video-channels/root_channel']])('%s: outbox, followers, following and playlists', async (path) => {
    const actor = await getAp(`${t.url}${path}`);
    expect(actor.status).toBe(200);
    const links = collectionLinks(actor.body);
    expect([...links.values()].sort()).toEqual(['followers', 'following', 'outbox', 'playlists']);
    for (const url of links.keys()) await checkCollection(url);
  });

  it('a public video: likes, dislikes, shares and comments; each listed Announce dereferences', async () => {
    const video = await getAp(publicVideo.url);
    expect(video.status).toBe(200);
    const links = collectionLinks(video.body);
    expect([...links.values()].sort()).toEqual(['comments', 'dislikes', 'likes', 'shares']);
    for (const url of links.keys()) await checkCollection(url);

    const shares = [...links.entries()].find(([, k]) => k === 'shares')![0];
    const announceIds = (await checkCollection(shares)) as string[];
    const sharers = await t.instance.prisma.actor.findMany({ where: { preferredUsername: { in: ['peertube', 'root_channel'] }, host: null } });
    expect(announceIds.sort()).toEqual(sharers.map((a) => `${publicVideo.url}/announces/${a.id}`).sort());
    for (const id of announceIds) {
      const res = await getAp(id);
      expect(res.status, id).toBe(200);
      expect(res.body).toMatchObject({ type: 'Announce', id, object: publicVideo.url, to: ['https://www.w3.org/ns/activitystreams#Public'] });
      expect(sharers.map((a) => a.url)).toContain(res.body!.actor);
      expect(res.body!['@context']).toBeDefined();
    }
  });

  it('an Announce that was not made is 404: another actor, a non-number, an unlisted video (not shared)', async () => {
    const account = await t.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'root', host: null } });
    expect((await getAp(`${publicVideo.url}/announces/${account.id}`)).status).toBe(404);
    expect((await getAp(`${publicVideo.url}/announces/999999`)).status).toBe(404);
    expect((await getAp(`${publicVideo.url}/announces/abc`)).status).toBe(404);
    const channel = await t.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'root_channel', host: null } });
    expect((await getAp(`${unlistedVideo.url}/announces/${channel.id}`)).status).toBe(404);
    // its collections still answer (empty shares)
    const links = collectionLinks((await getAp(unlistedVideo.url)).body);
    for (const url of links.keys()) await checkCollection(url);
    expect((await getAp(`${unlistedVideo.url}/announces`)).body).toMatchObject({ totalItems: 0 });
  });

  it('playlists of an unknown actor are 404, like its other collections', async () => {
    expect((await getAp(`${t.url}/accounts/nobody/playlists`)).status).toBe(404);
    expect((await getAp(`${t.url}/video-channels/nobody/playlists`)).status).toBe(404);
  });
});
