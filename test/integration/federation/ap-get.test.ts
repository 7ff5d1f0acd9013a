import { readFileSync } from 'node:fs';
import { p2pMediaLoaderInfohashes } from '../../../src/transcoding/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseActor, parseVideoObject, readMagnetUri } from '../../../src/federation/vocab/index.js';
import { signRequest, verifyRequestSignature } from '../../../src/federation/signatures/index.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

const REAL = PEERTUBE_REAL_DIR;
const AP = 'application/activity+json';
const fixture = (name: string) => JSON.parse(readFileSync(`${REAL}/${name}`, 'utf8')) as Record<string, unknown>;
/** The body of a captured HTTP answer (headers, blank line, body). */
const capturedBody = (name: string) => readFileSync(`${REAL}/${name}`, 'utf8').split(/\r?\n\r?\n/).slice(1).join('\n\n').trim();

function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${prefix}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...keyPaths(v, `${prefix}.${k}`)]);
  return [];
}

type Link = { type: string; mediaType?: string; href: string; name?: string; height?: number; size?: number; rel?: string[]; tag?: Link[] };
type RestFile = { fileUrl: string; torrentUrl: string; magnetUri: string; size: number; resolution: { id: number } };
type RestVideo = {
  id: number;
  uuid: string;
  shortUUID: string;
  url: string;
  files: RestFile[];
  streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string; files: RestFile[] }[];
};

describe('ActivityPub GETs, webfinger, NodeInfo, host-meta (embedded database)', () => {
  let t: TestInstance;
  let host: string;
  let video: RestVideo;
  const get = (path: string, accept?: string) => fetch(`${t.url}${path}`, { headers: accept ? { accept } : {} });
  const getAp = async <T = Record<string, unknown>>(path: string, accept = AP) => {
    const res = await get(path, accept);
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    return (await res.json()) as T;
  };
  /** A fixture from localhost:9000 with our host in its URLs. */
  const ours = (text: string) => text.replaceAll('http://localhost:9000', t.url).replaceAll('localhost:9000', host);

  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded', overrides: { transcoding: { web_videos: { enabled: true } } } });
    host = t.instance.urls.host;
    const up = await t.uploadMultipart(await generatedClip(), { name: 'federated clip', channelId: '1', privacy: '1', category: '15', language: 'fr', tags: ['tag1', 'tag2'] });
    expect(up.status).toBe(200);
    const { video: created } = (await up.json()) as { video: { id: number } };
    await t.waitForPublished(created.id);
    video = await t.json<RestVideo>(`/api/v1/videos/${created.id}`);
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('webfinger', () => {
    it.each([
      ['root', 'webfinger-root-9000.txt'],
      ['root_channel', 'webfinger-root_channel-9000.txt'],
      ['peertube', 'webfinger-peertube-9000.txt'],
    ])('acct:%s@host answers like PeerTube (%s)', async (name, file) => {
      const res = await get(`/.well-known/webfinger?resource=acct:${name}@${host}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await res.text()).toBe(ours(capturedBody(file)));
    });

    it('also resolves an actor URL (subject: its acct: handle)', async () => {
      const body = await t.json<{ subject: string; aliases: string[] }>(`/.well-known/webfinger?resource=${encodeURIComponent(`${t.url}/video-channels/root_channel`)}`, { token: null });
      expect(body.subject).toBe(`acct:root_channel@${host}`);
      expect(body.aliases).toEqual([`${t.url}/video-channels/root_channel`]);
    });

    it('refuses what it cannot answer: 404 unknown, 400 other host or malformed', async () => {
      const unknown = await get(`/.well-known/webfinger?resource=acct:nobody@${host}`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toContain('application/problem+json');
      expect((await get('/.well-known/webfinger?resource=acct:root@elsewhere.example')).status).toBe(400);
      expect((await get('/.well-known/webfinger?resource=acct:root')).status).toBe(400);
      expect((await get('/.well-known/webfinger')).status).toBe(400);
      expect((await get(`/.well-known/webfinger?resource=${encodeURIComponent(`${t.url}/accounts/nobody`)}`)).status).toBe(404);
    });
  });

  describe('NodeInfo and host-meta', () => {
    it('/.well-known/nodeinfo links 2.0, 2.1 and the instance actor', async () => {
      const res = await get('/.well-known/nodeinfo');
      expect(res.headers.get('cache-control')).toBe('max-age=600');
      expect(await res.json()).toEqual({
        links: [
          { rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${t.url}/nodeinfo/2.0.json` },
          { rel: 'http://nodeinfo.diaspora.software/ns/schema/2.1', href: `${t.url}/nodeinfo/2.1.json` },
          { rel: 'https://www.w3.org/ns/activitystreams#Application', href: `${t.url}/accounts/peertube` },
        ],
      });
    });

    it.each(['2.0', '2.1'])('/nodeinfo/%s.json', async (version) => {
      const res = await get(`/nodeinfo/${version}.json`);
      expect(res.status).toBe(200);
      // what PeerTube's express sends too: its profile, then the charset express appends
      expect(res.headers.get('content-type')).toBe(`application/json; profile="http://nodeinfo.diaspora.software/ns/schema/${version}#"; charset=utf-8`);
      const body = (await res.json()) as Record<string, unknown> & { metadata: Record<string, unknown> };
      expect(body).toMatchObject({
        version,
        software: { name: 'mirrortube', version: expect.any(String) },
        protocols: ['activitypub'],
        services: { inbound: [], outbound: [] },
        openRegistrations: false,
        usage: { users: { total: 1, activeMonth: 1, activeHalfyear: 1 }, localPosts: 1, localComments: 0 },
      });
      expect(Object.keys(body)).toEqual(Object.keys(fixture('nodeinfo-2.0-9000.json')));
      expect(body.metadata).toMatchObject({
        taxonomy: { postsName: 'Videos' },
        nodeConfig: { transcoding: { hls: { enabled: true }, web_videos: { enabled: true }, enabledResolutions: [144, 240] }, tracker: { enabled: true } },
        // ours (PeerTube 6.3 publishes none): the policy's strategies and remote_redundancy.videos.accept_from
        redundancy: { strategies: [], acceptFrom: 'anybody' },
      });
    });

    it('unknown NodeInfo versions are 404', async () => {
      expect((await get('/nodeinfo/3.0.json')).status).toBe(404);
      expect((await get('/nodeinfo/2.0')).status).toBe(404);
    });

    it('host-meta is PeerTube\'s XRD', async () => {
      const res = await get('/.well-known/host-meta');
      expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      expect(await res.text()).toBe(ours(capturedBody('host-meta-9000.txt')));
    });
  });

  describe('actors', () => {
    it.each([
      ['/accounts/root', 'actor-account-root-9000.json', 'root'],
      ['/video-channels/root_channel', 'actor-channel-root_channel-9000.json', 'root_channel'],
      ['/accounts/peertube', 'actor-instance-peertube-9000.json', 'peertube'],
    ])('%s: PeerTube\'s document, with a key that verifies the actor\'s signatures', async (path, file, name) => {
      const res = await get(path, AP);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/activity+json; charset=utf-8');
      expect(res.headers.get('vary')).toContain('Accept');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      const actor = (await res.json()) as Record<string, unknown> & { publicKey: { id: string; owner: string; publicKeyPem: string }; published: string };
      const expected = JSON.parse(ours(JSON.stringify(fixture(file)))) as Record<string, unknown>;
      // same document as PeerTube's but for the key, the creation date and the channel's display name
      expect({ ...actor, publicKey: null, published: null, name: null }).toEqual({ ...expected, publicKey: null, published: null, name: null });
      expect(keyPaths(actor)).toEqual(keyPaths(expected));
      expect(actor.publicKey.id).toBe(`${t.url}${path}#main-key`);
      expect(actor.publicKey.owner).toBe(`${t.url}${path}`);

      const row = await t.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: name, host: null } });
      expect(actor.published).toBe(row.createdAt.toISOString());
      const now = new Date();
      const target = 'https://remote.example/inbox';
      const body = '{"type":"Follow"}';
      const headers = signRequest({ method: 'POST', url: target, body, keyId: actor.publicKey.id, privateKeyPem: row.privateKeyPem!, now });
      const verified = await verifyRequestSignature({
        request: { method: 'POST', path: '/inbox', headers: { ...headers, 'content-type': AP }, body },
        now,
        fetchPublicKey: async (keyId) => (keyId === actor.publicKey.id ? { ok: true, key: actor.publicKey } : { ok: false, reason: { type: 'not-found' } }),
      });
      expect(verified.ok && verified.owner).toBe(`${t.url}${path}`);

      const parsed = parseActor(actor);
      expect(parsed.ok && parsed.value.preferredUsername).toBe(name);
    });

    it('the instance actor is an Application, a channel a Group attributed to its account', async () => {
      expect((await getAp('/accounts/peertube')).type).toBe('Application');
      const channel = await getAp<{ type: string; name: string; attributedTo: unknown }>('/video-channels/root_channel');
      expect(channel).toMatchObject({ type: 'Group', name: 'Main root channel', attributedTo: [{ type: 'Person', id: `${t.url}/accounts/root` }] });
      expect((await getAp(`/accounts/root@${host}`)).id).toBe(`${t.url}/accounts/root`);
    });

    it('Accept negotiation: HTML (or nothing) falls through to the web pages; ld+json with profile is ActivityPub', async () => {
      // a browser is sent to the account's page (src/web/)
      const html = await fetch(`${t.url}/accounts/root`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect([html.status, html.headers.get('location')]).toEqual([302, '/a/root']);
      expect(html.headers.get('vary')).toContain('Accept');
      expect((await get('/accounts/root')).headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect((await get('/accounts/root', 'application/json')).status).toBe(404);
      expect((await getAp('/accounts/root', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"')).type).toBe('Person');
      expect((await getAp('/accounts/root', 'application/ld+json')).type).toBe('Person');
    });

    it('404 for unknown actors, the wrong kind, remote actors and other hosts', async () => {
      await t.instance.prisma.actor.create({
        data: {
          type: 'Person',
          preferredUsername: 'remoteuser',
          host: 'remote.example',
          url: 'https://remote.example/accounts/remoteuser',
          inboxUrl: 'https://remote.example/accounts/remoteuser/inbox',
        },
      });
      for (const path of ['/accounts/nobody', '/accounts/root_channel', '/video-channels/root', '/accounts/remoteuser', '/accounts/remoteuser@remote.example', '/accounts/root@other.example']) {
        const res = await get(path, AP);
        expect(res.status, path).toBe(404);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
      expect((await get('/accounts/nobody/outbox', AP)).status).toBe(404);
    });
  });

  describe('videos', () => {
    const videoPath = () => `/videos/watch/${video.uuid}`;

    it('a published video is a Video object whose links match GET /api/v1/videos/:id', async () => {
      const res = await get(videoPath(), AP);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/activity+json; charset=utf-8');
      expect(res.headers.get('vary')).toContain('Accept');
      const object = (await res.json()) as Record<string, unknown> & { url: Link[] };

      const reference = fixture('ap-video-9000.json');
      expect(object['@context']).toEqual(reference['@context']);
      const { preview: _preview, ...referenceWithoutStoryboard } = reference;
      // PeerTube's keys and order; category and language (set on this video) come after uuid
      const referenceKeys = Object.keys(referenceWithoutStoryboard);
      const afterUuid = referenceKeys.indexOf('uuid') + 1;
      expect(Object.keys(object)).toEqual([...referenceKeys.slice(0, afterUuid), 'category', 'language', ...referenceKeys.slice(afterUuid)]);
      expect(object).toMatchObject({
        to: ['https://www.w3.org/ns/activitystreams#Public'],
        cc: [`${t.url}/accounts/root/followers`],
        type: 'Video',
        id: video.url,
        uuid: video.uuid,
        name: 'federated clip',
        duration: 'PT3S',
        category: { identifier: '15', name: 'Science & Technology' },
        language: { identifier: 'fr', name: 'French' },
        tag: [
          { type: 'Hashtag', name: 'tag1' },
          { type: 'Hashtag', name: 'tag2' },
        ],
        attributedTo: [
          { type: 'Person', id: `${t.url}/accounts/root` },
          { type: 'Group', id: `${t.url}/video-channels/root_channel` },
        ],
        likes: `${video.url}/likes`,
        shares: `${video.url}/announces`,
      });

      // url[]: HTML, web videos (file, metadata, torrent, magnet), HLS, trackers, in PeerTube's order
      const url = object.url;
      expect(url[0]).toEqual({ type: 'Link', mediaType: 'text/html', href: video.url });
      const webLinks = url.slice(1, 1 + 4 * video.files.length);
      expect(webLinks.map((l) => l.mediaType)).toEqual(
        video.files.flatMap(() => ['video/mp4', 'application/json', 'application/x-bittorrent', 'application/x-bittorrent;x-scheme-handler/magnet']),
      );
      video.files.forEach((f, i) => {
        expect(webLinks[4 * i]).toMatchObject({ href: f.fileUrl, size: f.size, height: f.resolution.id });
        expect(webLinks[4 * i + 2]!.href).toBe(f.torrentUrl);
        expect(webLinks[4 * i + 3]!.href).toBe(f.magnetUri);
      });
      const hls = url[1 + 4 * video.files.length]!;
      const playlist = video.streamingPlaylists[0]!;
      expect(hls).toMatchObject({ type: 'Link', mediaType: 'application/x-mpegURL', href: playlist.playlistUrl });
      expect(url.slice(2 + 4 * video.files.length).map((l) => l.name)).toEqual(['tracker-http', 'tracker-websocket']);

      const row = await t.instance.prisma.videoStreamingPlaylist.findFirstOrThrow({ where: { video: { uuid: video.uuid } } });
      const tags = hls.tag!;
      expect(tags.filter((tag) => tag.type === 'Infohash').map((tag) => tag.name)).toEqual(row.p2pMediaLoaderInfohashes);
      // PeerTube's swarm ids (sha1 of version + master URL + variant), not the torrents' infohashes
      expect(row.p2pMediaLoaderInfohashes).toEqual(p2pMediaLoaderInfohashes(playlist.playlistUrl, playlist.files.length));
      expect(tags.find((tag) => tag.name === 'sha256')).toEqual({ type: 'Link', name: 'sha256', mediaType: 'application/json', href: playlist.segmentsSha256Url });
      const fileTags = tags.filter((tag) => tag.type === 'Link' && tag.name !== 'sha256');
      expect(fileTags).toHaveLength(4 * playlist.files.length);
      playlist.files.forEach((f, i) => {
        expect(fileTags[4 * i]).toMatchObject({ mediaType: 'video/mp4', href: f.fileUrl, size: f.size, height: f.resolution.id });
        expect(fileTags[4 * i]!.href).toContain(`/static/streaming-playlists/hls/${video.uuid}/`);
        expect(fileTags[4 * i + 1]).toMatchObject({ rel: ['metadata', 'video/mp4'], mediaType: 'application/json' });
        expect(fileTags[4 * i + 2]).toMatchObject({ mediaType: 'application/x-bittorrent', href: f.torrentUrl });
        expect(fileTags[4 * i + 3]).toMatchObject({ mediaType: 'application/x-bittorrent;x-scheme-handler/magnet', href: f.magnetUri });
      });

      // our own parser reads it back to the same files and hashes
      const parsed = parseVideoObject(object);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.value).toMatchObject({ uuid: video.uuid, url: video.url, name: 'federated clip', category: 15, language: 'fr', tags: ['tag1', 'tag2'], privacy: 'public' });
      expect(parsed.value.channelUrl).toBe(`${t.url}/video-channels/root_channel`);
      expect(parsed.value.hls).toMatchObject({ playlistUrl: playlist.playlistUrl, segmentsSha256Url: playlist.segmentsSha256Url, infohashes: row.p2pMediaLoaderInfohashes, redundancyBaseUrls: [] });
      expect(parsed.value.hls!.files.map((f) => [f.fileUrl, f.torrentUrl, f.infoHash, f.size])).toEqual(
        playlist.files.map((f) => [f.fileUrl, f.torrentUrl, readMagnetUri(f.magnetUri)!.infoHash, f.size]),
      );
      expect(parsed.value.webVideoFiles.map((f) => f.fileUrl)).toEqual(video.files.map((f) => f.fileUrl));
      // the thumbnail the object names is served
      expect((await fetch(parsed.value.thumbnailUrl)).status).toBe(200);
    });

    it('Accept negotiation and PeerTube\'s other routes to the video', async () => {
      // browsers get the watch page (src/web/)
      const page = await get(videoPath(), 'text/html');
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      expect((await get(videoPath())).headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect((await get(videoPath(), 'application/json')).status).toBe(404);
      expect((await getAp(videoPath(), 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"')).id).toBe(video.url);
      expect((await getAp(`/w/${video.shortUUID}`)).id).toBe(video.url);
      expect((await getAp(`/videos/watch/${video.shortUUID}`)).id).toBe(video.url);
      const create = await getAp<{ type: string; id: string; actor: string; object: { id: string } }>(`${videoPath()}/activity`);
      expect(create).toMatchObject({ type: 'Create', id: `${video.url}/activity`, actor: `${t.url}/accounts/root`, object: { id: video.url } });
      expect(await getAp(`${videoPath()}/chapters`)).toMatchObject({ id: `${video.url}/chapters`, hasPart: [] });
    });

    it('its collections: likes/dislikes of the stored rates (PeerTube syncs counts from totalItems), announces by the channel and the instance actor', async () => {
      expect(await getAp(`${videoPath()}/likes`)).toMatchObject({ id: `${video.url}/likes`, type: 'OrderedCollection', totalItems: 0 });
      const rated = await t.api(`/api/v1/videos/${video.uuid}/rate`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rating: 'like' }) });
      expect(rated.status).toBe(204);
      expect(await getAp(`${videoPath()}/likes`)).toMatchObject({ totalItems: 1, first: `${video.url}/likes?page=1` });
      expect((await getAp<{ orderedItems: string[] }>(`${videoPath()}/likes?page=1`)).orderedItems).toEqual([expect.stringMatching(new RegExp(`^${t.url}/accounts/root/likes/\\d+$`))]);
      expect(await getAp(`${videoPath()}/dislikes`)).toMatchObject({ totalItems: 0 });
      const actors = await t.instance.prisma.actor.findMany({ where: { preferredUsername: { in: ['root_channel', 'peertube'] }, host: null }, orderBy: { type: 'desc' } });
      const announces = await getAp<{ orderedItems: string[]; totalItems: number }>(`${videoPath()}/announces?page=1`);
      expect(announces.totalItems).toBe(2);
      expect(announces.orderedItems.sort()).toEqual(actors.map((a) => `${video.url}/announces/${a.id}`).sort());
      expect(await getAp(`${videoPath()}/comments`)).toMatchObject({ totalItems: 0 });
      expect((await get(`${videoPath()}/likes?page=0`, AP)).status).toBe(400);
    });

    it('404 for unknown, remote, private and unpublished videos; unlisted ones are served with their audience', async () => {
      const prisma = t.instance.prisma;
      expect((await get('/videos/watch/00000000-0000-4000-8000-000000000000', AP)).status).toBe(404);
      expect((await get('/videos/watch/not-a-uuid', AP)).status).toBe(404);
      expect((await get(`/videos/watch/${video.id}`, AP)).status).toBe(404);
      const set = (data: { isLocal?: boolean; privacy?: number; state?: number }) => prisma.video.update({ where: { uuid: video.uuid }, data });
      try {
        await set({ isLocal: false });
        expect((await get(videoPath(), AP)).status).toBe(404);
        expect((await get(`${videoPath()}/likes`, AP)).status).toBe(404);
        await set({ isLocal: true, privacy: 3 });
        expect((await get(videoPath(), AP)).status).toBe(404);
        await set({ privacy: 4 });
        expect((await get(videoPath(), AP)).status).toBe(404);
        await set({ privacy: 1, state: 2 });
        expect((await get(videoPath(), AP)).status).toBe(404);
        await set({ state: 1, privacy: 2 });
        const unlisted = await getAp<{ to: string[]; cc: string[] }>(videoPath());
        expect(unlisted).toMatchObject({ to: [], cc: ['https://www.w3.org/ns/activitystreams#Public'] });
        // unlisted videos are not in outboxes
        expect((await getAp<{ totalItems: number }>('/accounts/root/outbox')).totalItems).toBe(0);
      } finally {
        await set({ isLocal: true, privacy: 1, state: 1 });
      }
    });
  });

  describe('collections', () => {
    it('outboxes: Create by the account, Announce by the channel and by the instance actor', async () => {
      const summary = await getAp('/accounts/root/outbox');
      expect(summary).toEqual({ ...fixture('outbox-peertube-9000.json'), id: `${t.url}/accounts/root/outbox`, first: `${t.url}/accounts/root/outbox?page=1` });
      const page = await getAp<{ orderedItems: { type: string; id: string; actor: string; object: Record<string, unknown> }[]; partOf: string }>('/accounts/root/outbox?page=1');
      expect(page.partOf).toBe(`${t.url}/accounts/root/outbox`);
      expect(page.orderedItems).toHaveLength(1);
      const create = page.orderedItems[0]!;
      expect(create).toMatchObject({ type: 'Create', id: `${video.url}/activity`, actor: `${t.url}/accounts/root` });
      expect(parseVideoObject(create.object).ok).toBe(true);
      expect('@context' in create.object).toBe(false);

      const channelActor = await t.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'root_channel', host: null } });
      const channelPage = await getAp<{ orderedItems: unknown[] }>('/video-channels/root_channel/outbox?page=1');
      expect(channelPage.orderedItems).toEqual([
        {
          to: ['https://www.w3.org/ns/activitystreams#Public'],
          cc: [`${t.url}/accounts/root/followers`],
          type: 'Announce',
          id: `${video.url}/announces/${channelActor.id}`,
          actor: `${t.url}/video-channels/root_channel`,
          object: video.url,
        },
      ]);
      const instancePage = await getAp<{ orderedItems: { actor: string; object: string }[] }>('/accounts/peertube/outbox?page=1&size=5');
      expect(instancePage.orderedItems).toMatchObject([{ type: 'Announce', actor: `${t.url}/accounts/peertube`, object: video.url }]);
      expect((await get('/accounts/root/outbox?size=51', AP)).status).toBe(400);
    });

    it('followers and following: accepted follows only, paged by 10 with prev/next', async () => {
      const prisma = t.instance.prisma;
      const me = await prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'peertube', host: null } });
      const remotes = [];
      for (let i = 0; i < 13; i++) {
        remotes.push(
          await prisma.actor.create({
            data: {
              type: 'Application',
              preferredUsername: 'peertube',
              host: `r${i}.example`,
              url: `https://r${i}.example/accounts/peertube`,
              inboxUrl: `https://r${i}.example/accounts/peertube/inbox`,
            },
          }),
        );
      }
      for (const [i, r] of remotes.entries()) {
        await prisma.actorFollow.create({ data: { followerId: r.id, followingId: me.id, state: i === 12 ? 'pending' : 'accepted' } });
      }
      await prisma.actorFollow.create({ data: { followerId: me.id, followingId: remotes[0]!.id, state: 'accepted' } });
      await prisma.actorFollow.create({ data: { followerId: me.id, followingId: remotes[1]!.id, state: 'rejected' } });

      const id = `${t.url}/accounts/peertube/followers`;
      expect(await getAp('/accounts/peertube/followers')).toEqual({ ...fixture('followers-peertube-9000.json'), id, totalItems: 12, first: `${id}?page=1` });
      const page1 = await getAp<{ orderedItems: string[] }>('/accounts/peertube/followers?page=1');
      expect(Object.keys(page1)).toEqual(['@context', 'id', 'type', 'next', 'partOf', 'orderedItems', 'totalItems']);
      expect(page1).toMatchObject({ id: `${id}?page=1`, next: `${id}?page=2`, partOf: id, totalItems: 12 });
      expect(page1.orderedItems).toEqual(remotes.slice(0, 10).map((r) => r.url));
      const page2 = await getAp<{ orderedItems: string[] }>('/accounts/peertube/followers?page=2');
      expect(page2).toMatchObject({ prev: `${id}?page=1`, totalItems: 12 });
      expect(page2).not.toHaveProperty('next');
      expect(page2.orderedItems).toEqual([remotes[10]!.url, remotes[11]!.url]);
      expect((await getAp<{ orderedItems: string[] }>('/accounts/peertube/followers?page=3')).orderedItems).toEqual([]);

      expect(await getAp<{ orderedItems: string[] }>('/accounts/peertube/following?page=1')).toMatchObject({ orderedItems: [remotes[0]!.url], totalItems: 1 });
      expect(await getAp('/accounts/root/followers')).toEqual({ ...fixture('followers-peertube-9000.json'), id: `${t.url}/accounts/root/followers`, totalItems: 0, first: undefined });
      expect(await getAp('/video-channels/root_channel/following')).toMatchObject({ totalItems: 0 });
      for (const bad of ['page=0', 'page=x', 'page=-1']) expect((await get(`/accounts/peertube/followers?${bad}`, AP)).status).toBe(400);
    });
  });
});
