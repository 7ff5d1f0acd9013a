import { describe, expect, it } from 'vitest';
import {
  buildActorObject,
  buildAnnounce,
  buildCreate,
  buildVideoObject,
  describeRefusal,
  parseActivity,
  parseActor,
  parseCacheFile,
  parseVideoObject,
  readMagnetUri,
  withContext,
  type RemoteVideo,
  type VocabRefusal,
} from '../../../../src/federation/vocab/index.js';
import { real, video9000Input } from './fixtures.js';

const refusal = (r: { ok: boolean; reason?: VocabRefusal }) => (r.ok ? null : r.reason);
const clone = <T>(v: T): T => structuredClone(v);

describe('parseActivity', () => {
  it.each([
    'activity-Announce-received-by-b.json',
    'activity-ApproveReply-received-by-b.json',
    'activity-Create-CacheFile-hls-received-by-a.json',
    'activity-Create-CacheFile-webvideo-received-by-a.json',
    'activity-Create-Note-received-by-a.json',
    'activity-Like-received-by-a.json',
    'activity-Update-Video-received-by-b.json',
    'activity-View-received-by-a.json',
  ])('accepts %s', (file) => {
    const doc = real(file);
    const parsed = parseActivity(doc);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.id).toBe(doc.id);
    expect(parsed.value.type).toBe(doc.type);
    expect(parsed.value.actor).toBe(doc.actor);
    expect(parsed.value.signature?.type).toBe('RsaSignature2017');
    expect(parsed.value.raw).toBe(doc);
  });

  it('normalises actor objects, string objects, embedded objects and to/cc', () => {
    const create = real('activity-Create-CacheFile-hls-received-by-a.json');
    const parsed = parseActivity({ ...create, actor: { id: create.actor, type: 'Application' }, to: 'as:Public', cc: undefined });
    expect(parsed.ok && parsed.value).toMatchObject({
      actor: 'http://localhost:9001/accounts/peertube',
      objectType: 'CacheFile',
      objectId: 'http://localhost:9001/redundancy/streaming-playlists/hls/9c034b30-c3ba-4d72-87cb-2c4b81391e52',
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [],
    });
    const announce = parseActivity(real('activity-Announce-received-by-b.json'));
    expect(announce.ok && announce.value).toMatchObject({ object: 'http://localhost:9000/videos/watch/9c034b30-c3ba-4d72-87cb-2c4b81391e52', objectType: null });
    const approve = parseActivity(real('activity-ApproveReply-received-by-b.json'));
    expect(approve.ok && approve.value).toMatchObject({ to: [], cc: [], signature: expect.objectContaining({ creator: 'http://localhost:9000/accounts/root' }) });
  });

  it('refuses malformed envelopes with typed reasons', () => {
    const like = real('activity-Like-received-by-a.json');
    expect(refusal(parseActivity('nope'))).toEqual({ type: 'not-an-object' });
    expect(refusal(parseActivity([like]))).toEqual({ type: 'not-an-object' });
    expect(refusal(parseActivity({ ...like, type: 'Explode' }))).toMatchObject({ type: 'wrong-type', received: 'Explode' });
    expect(refusal(parseActivity({ ...like, type: undefined }))).toMatchObject({ type: 'wrong-type', received: null });
    expect(refusal(parseActivity({ ...like, id: undefined }))).toEqual({ type: 'missing-field', field: 'id' });
    expect(refusal(parseActivity({ ...like, id: 'ftp://x/y' }))).toMatchObject({ type: 'invalid-field', field: 'id' });
    expect(refusal(parseActivity({ ...like, actor: undefined }))).toEqual({ type: 'missing-field', field: 'actor' });
    expect(refusal(parseActivity({ ...like, actor: { type: 'Person' } }))).toMatchObject({ type: 'invalid-field', field: 'actor' });
    expect(refusal(parseActivity({ ...like, object: undefined }))).toEqual({ type: 'missing-field', field: 'object' });
    expect(refusal(parseActivity({ ...like, object: ['a'] }))).toMatchObject({ type: 'invalid-field', field: 'object' });
    expect(refusal(parseActivity({ ...like, to: Array.from({ length: 1001 }, (_, i) => `https://x/${i}`) }))).toEqual({ type: 'too-large', field: 'to', max: 1000 });
    expect(refusal(parseActivity({ ...like, cc: [42] }))).toMatchObject({ type: 'invalid-field', field: 'cc.0' });
    expect(parseActivity({ ...like, type: 'Move' }, { types: ['Move'] }).ok).toBe(true);
  });

  it('ignores a malformed LD signature block (the signature layer decides what to do without one)', () => {
    const parsed = parseActivity({ ...real('activity-Like-received-by-a.json'), signature: 'junk' });
    expect(parsed.ok && parsed.value.signature).toBeNull();
  });

  it('describes refusals', () => {
    expect(describeRefusal({ type: 'missing-field', field: 'id' })).toBe('missing field "id"');
    expect(describeRefusal({ type: 'too-large', field: 'to', max: 1000 })).toMatch(/more than 1000/);
  });
});

describe('parseActor', () => {
  it.each(['actor-account-root-9000.json', 'actor-channel-root_channel-9000.json', 'actor-instance-peertube-9000.json', 'actor-instance-peertube-9001.json'])(
    'accepts %s',
    (file) => {
      const doc = real(file) as Record<string, unknown> & { id: string; publicKey: { publicKeyPem: string } };
      const parsed = parseActor(doc);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.value).toMatchObject({
        id: doc.id,
        inbox: `${doc.id}/inbox`,
        outbox: `${doc.id}/outbox`,
        followers: `${doc.id}/followers`,
        following: `${doc.id}/following`,
        url: doc.id,
        publicKey: { id: `${doc.id}#main-key`, owner: doc.id, publicKeyPem: doc.publicKey.publicKeyPem },
        summary: null,
      });
      expect(parsed.value.sharedInbox).toMatch(/^http:\/\/localhost:900[01]\/inbox$/);
    },
  );

  it('normalises the channel (Group) with its owner', () => {
    const parsed = parseActor(real('actor-channel-root_channel-9000.json'));
    expect(parsed.ok && parsed.value).toEqual({
      type: 'Group',
      id: 'http://localhost:9000/video-channels/root_channel',
      preferredUsername: 'root_channel',
      name: 'Main root channel',
      summary: null,
      inbox: 'http://localhost:9000/video-channels/root_channel/inbox',
      sharedInbox: 'http://localhost:9000/inbox',
      outbox: 'http://localhost:9000/video-channels/root_channel/outbox',
      followers: 'http://localhost:9000/video-channels/root_channel/followers',
      following: 'http://localhost:9000/video-channels/root_channel/following',
      url: 'http://localhost:9000/video-channels/root_channel',
      publicKey: expect.objectContaining({ id: 'http://localhost:9000/video-channels/root_channel#main-key' }),
      published: '2026-11-22T19:09:15.800Z',
      attributedTo: ['http://localhost:9000/accounts/root'],
      support: null,
      avatar: null,
    });
  });

  it('reads Mastodon-style actors (url string, no endpoints, featured…)', () => {
    const parsed = parseActor({
      '@context': ['https://www.w3.org/ns/activitystreams'],
      type: 'Person',
      id: 'https://mastodon.example/users/alice',
      preferredUsername: 'alice',
      name: 'Alice',
      summary: '<p>hi</p>',
      inbox: 'https://mastodon.example/users/alice/inbox',
      url: [{ type: 'Link', mediaType: 'text/html', href: 'https://mastodon.example/@alice' }],
      publicKey: { id: 'https://mastodon.example/users/alice#main-key', owner: 'https://mastodon.example/users/alice', publicKeyPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' },
    });
    expect(parsed.ok && parsed.value).toMatchObject({ sharedInbox: null, outbox: null, url: 'https://mastodon.example/@alice', summary: '<p>hi</p>', published: null });
  });

  it('refuses actors PeerTube would refuse', () => {
    const root = real('actor-account-root-9000.json') as Record<string, unknown> & { publicKey: Record<string, unknown> };
    const channel = real('actor-channel-root_channel-9000.json');
    expect(refusal(parseActor(null))).toEqual({ type: 'not-an-object' });
    expect(refusal(parseActor({ ...root, type: 'Video' }))).toMatchObject({ type: 'wrong-type', received: 'Video' });
    expect(refusal(parseActor({ ...root, inbox: undefined }))).toEqual({ type: 'missing-field', field: 'inbox' });
    expect(refusal(parseActor({ ...root, publicKey: undefined }))).toEqual({ type: 'missing-field', field: 'publicKey' });
    expect(refusal(parseActor({ ...root, publicKey: { ...root.publicKey, publicKeyPem: 'not a key' } }))).toMatchObject({ type: 'invalid-field', field: 'publicKey.publicKeyPem' });
    expect(refusal(parseActor({ ...root, publicKey: { ...root.publicKey, owner: 'http://localhost:9000/accounts/other' } }))).toMatchObject({
      type: 'invalid-field',
      field: 'publicKey.owner',
    });
    expect(refusal(parseActor({ ...root, preferredUsername: 'has space' }))).toMatchObject({ type: 'invalid-field', field: 'preferredUsername' });
    expect(refusal(parseActor({ ...channel, attributedTo: [] }))).toEqual({ type: 'missing-field', field: 'attributedTo' });
    expect(refusal(parseActor({ ...channel, attributedTo: Array.from({ length: 21 }, () => 'http://localhost:9000/accounts/root') }))).toMatchObject({ type: 'too-large' });
  });

  it('reads back our own actor documents', () => {
    const input = {
      type: 'Group' as const,
      url: 'https://a.example/video-channels/main',
      preferredUsername: 'main',
      name: 'Main channel',
      summary: 'about',
      inboxUrl: 'https://a.example/video-channels/main/inbox',
      sharedInboxUrl: 'https://a.example/inbox',
      outboxUrl: 'https://a.example/video-channels/main/outbox',
      followersUrl: 'https://a.example/video-channels/main/followers',
      followingUrl: 'https://a.example/video-channels/main/following',
      publicKeyPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      published: new Date('2026-01-02T03:04:05.678Z'),
      support: 'give',
      ownerAccountUrl: 'https://a.example/accounts/alice',
    };
    const parsed = parseActor(withContext(buildActorObject(input), 'Actor'));
    expect(parsed.ok && parsed.value).toEqual({
      type: 'Group',
      id: input.url,
      preferredUsername: 'main',
      name: 'Main channel',
      summary: 'about',
      inbox: input.inboxUrl,
      sharedInbox: input.sharedInboxUrl,
      outbox: input.outboxUrl,
      followers: input.followersUrl,
      following: input.followingUrl,
      url: input.url,
      publicKey: { id: `${input.url}#main-key`, owner: input.url, publicKeyPem: input.publicKeyPem },
      published: '2026-01-02T03:04:05.678Z',
      attributedTo: [input.ownerAccountUrl],
      support: 'give',
      avatar: null,
    });
  });
});

describe('parseVideoObject', () => {
  const hls9000 = 'http://localhost:9000/static/streaming-playlists/hls/58338225-4a2b-4f8d-9506-ef418ce1c194';

  describe("trackers (PeerTube: the Video's tracker links when one is a WebSocket tracker, else the origin's own)", () => {
    type Link = { type: string; rel?: string[]; href: string; mediaType?: string };
    const withUrls = (edit: (urls: Link[]) => Link[], id?: string) => {
      const object = real('ap-video-9000.json') as { id: string; url: Link[] };
      return { ...object, id: id ?? object.id, url: edit(object.url) };
    };
    const trackers = (object: unknown) => {
      const parsed = parseVideoObject(object);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.reason));
      return parsed.value.trackerUrls;
    };
    const isTracker = (u: Link) => (u.rel ?? []).includes('tracker');

    it('keeps the listed trackers, in order and once each, when one is a WebSocket tracker', () => {
      const object = withUrls((urls) => [
        ...urls.filter((u) => !isTracker(u)),
        { type: 'Link', rel: ['tracker', 'websocket'], href: 'wss://tracker.example/socket' },
        { type: 'Link', rel: ['tracker', 'http'], href: 'https://tracker.example/announce' },
        { type: 'Link', rel: ['tracker', 'websocket'], href: 'wss://tracker.example/socket' },
        { type: 'Link', rel: ['tracker'], href: 'javascript:alert(1)' },
      ]);
      expect(trackers(object)).toEqual(['wss://tracker.example/socket', 'https://tracker.example/announce']);
    });

    it("falls back to the origin's /tracker/socket and /tracker/announce when no WebSocket tracker is listed", () => {
      const httpOnly = withUrls((urls) => [...urls.filter((u) => !isTracker(u)), { type: 'Link', rel: ['tracker', 'http'], href: 'http://elsewhere.example/announce' }]);
      expect(trackers(httpOnly)).toEqual(['ws://localhost:9000/tracker/socket', 'http://localhost:9000/tracker/announce']);
      const none = withUrls((urls) => urls.filter((u) => !isTracker(u)), 'https://tube.example/videos/watch/58338225-4a2b-4f8d-9506-ef418ce1c194');
      expect(trackers(none)).toEqual(['wss://tube.example/tracker/socket', 'https://tube.example/tracker/announce']);
    });
  });

  it('reads ap-video-9000.json', () => {
    const parsed = parseVideoObject(real('ap-video-9000.json'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const v = parsed.value;
    expect(v).toMatchObject({
      uuid: '58338225-4a2b-4f8d-9506-ef418ce1c194',
      url: 'http://localhost:9000/videos/watch/58338225-4a2b-4f8d-9506-ef418ce1c194',
      name: 'test',
      description: null,
      durationSeconds: 5,
      views: 0,
      likesUrl: 'http://localhost:9000/videos/watch/58338225-4a2b-4f8d-9506-ef418ce1c194/likes',
      category: null,
      licence: null,
      language: null,
      tags: [],
      nsfw: false,
      state: 1,
      commentsEnabled: true,
      downloadEnabled: true,
      waitTranscoding: true,
      support: null,
      published: '2026-11-22T19:10:20.142Z',
      updated: '2026-11-22T19:10:20.142Z',
      originallyPublishedAt: null,
      thumbnailUrl: 'http://localhost:9000/lazy-static/thumbnails/1b28c1bd-6675-43c2-88ff-bc6a7dec4903.jpg',
      previewUrl: 'http://localhost:9000/lazy-static/previews/fafbe259-b1c0-41d0-8727-d9116edbb89d.jpg',
      accountUrl: 'http://localhost:9000/accounts/root',
      channelUrl: 'http://localhost:9000/video-channels/root_channel',
      isLive: false,
      aspectRatio: 1.7778,
      privacy: 'public',
      trackerUrls: ['http://localhost:9000/tracker/announce', 'ws://localhost:9000/tracker/socket'],
    });
    expect(v.hls).toEqual({
      playlistUrl: `${hls9000}/07dc012e-e8b0-4903-8522-1085af8503ea-master.m3u8`,
      segmentsSha256Url: `${hls9000}/2c9e50e7-d156-4997-a37f-4984908f421d-segments-sha256.json`,
      infohashes: ['11b9e2e13839bbfe640a3401e8587f473afeeaa7', '34ae796e671448dface8ce82320eb27ee5dfe69b'],
      files: [
        {
          resolution: 360,
          width: 640,
          height: 360,
          size: 88100,
          fps: 25,
          mediaType: 'video/mp4',
          fileUrl: `${hls9000}/4ce14aa1-5928-4c8a-8ef9-018e7b6da374-360-fragmented.mp4`,
          torrentUrl: 'http://localhost:9000/lazy-static/torrents/47061f7f-e519-45e9-8566-a88c918c1162-360-hls.torrent',
          magnetUri: expect.stringMatching(/^magnet:\?xs=.*27fe40a48652ff2f47dd3d537e1ae2c7b44a40f6/),
          infoHash: '27fe40a48652ff2f47dd3d537e1ae2c7b44a40f6',
          metadataUrl: 'http://localhost:9000/api/v1/videos/58338225-4a2b-4f8d-9506-ef418ce1c194/metadata/3',
        },
        expect.objectContaining({ resolution: 240, width: 426, size: 77739, infoHash: '52f87a832cf7baf3626c85f942196165828f72c6' }),
      ],
      redundancyBaseUrls: [],
    });
    expect(v.webVideoFiles.map((f) => [f.resolution, f.size, f.infoHash, f.metadataUrl?.split('/').pop()])).toEqual([
      [360, 80823, '87c7a1ab47ac91f2f9b265ff8315addbd8c9c5c2', '2'],
      [240, 78401, '5db6f523ede43a66bd7b271504689552dfe7d99d', '4'],
    ]);
  });

  it('reads ap-video2-9000-after-redundancy.json and the Video of activity-Update-Video-received-by-b.json', () => {
    const after = parseVideoObject(real('ap-video2-9000-after-redundancy.json'));
    expect(after.ok && after.value.hls?.files.length).toBe(2);
    expect(after.ok && after.value.hls?.redundancyBaseUrls).toEqual([]);
    const update = real('activity-Update-Video-received-by-b.json') as { object: unknown };
    const parsed = parseVideoObject(update.object);
    expect(parsed.ok && parsed.value).toMatchObject({ name: 'test2', updated: '2026-11-22T19:13:23.921Z' });
    expect(parsed.ok && parsed.value.hls?.files.map((f) => f.resolution)).toEqual([360]);
  });

  it('round trip: what our builder writes, the parser reads back', () => {
    const input = video9000Input();
    input.category = { id: 15, label: 'Science & Technology' };
    input.licence = { id: 2, label: 'Attribution - Share Alike' };
    input.language = { id: 'fr', label: 'French' };
    input.tags = ['tag1', 'tag2'];
    input.description = 'a *markdown* description';
    input.support = 'support me';
    input.nsfw = true;
    input.originallyPublishedAt = new Date('2020-01-01T00:00:00.000Z');
    input.hls!.redundancies = [{ baseUrl: `http://localhost:9001/static/redundancy/hls/${input.uuid}` }, { baseUrl: `https://m.example/static/redundancy/hls/${input.uuid}` }];
    const parsed = parseVideoObject(withContext(buildVideoObject(input), 'Video'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const v: RemoteVideo = parsed.value;
    expect(v).toMatchObject({
      uuid: input.uuid,
      url: input.url,
      name: input.name,
      description: input.description,
      durationSeconds: 5,
      category: 15,
      licence: 2,
      language: 'fr',
      tags: ['tag1', 'tag2'],
      nsfw: true,
      support: 'support me',
      originallyPublishedAt: '2020-01-01T00:00:00.000Z',
      thumbnailUrl: input.icons[0]!.url,
      previewUrl: input.icons[1]!.url,
      accountUrl: input.accountUrl,
      channelUrl: input.channelUrl,
      trackerUrls: input.trackerUrls,
    });
    expect(v.hls).toMatchObject({ playlistUrl: input.hls!.playlistUrl, segmentsSha256Url: input.hls!.segmentsSha256Url, infohashes: input.hls!.infohashes });
    expect(v.hls!.redundancyBaseUrls).toEqual(input.hls!.redundancies.map((r) => r.baseUrl));
    const expectFiles = (files: typeof input.webVideoFiles) =>
      [...files]
        .sort((a, b) => b.resolution - a.resolution)
        .map((f) => ({
          resolution: f.resolution,
          width: f.width,
          height: f.height,
          size: f.size,
          fps: f.fps,
          mediaType: f.mediaType,
          fileUrl: f.fileUrl,
          torrentUrl: f.torrentUrl,
          magnetUri: f.magnetUri,
          infoHash: readMagnetUri(f.magnetUri!)!.infoHash,
          metadataUrl: f.metadataUrl,
        }));
    expect(v.hls!.files).toEqual(expectFiles(input.hls!.files));
    expect(v.webVideoFiles).toEqual(expectFiles(input.webVideoFiles));
  });

  it('reads untyped attributedTo (newer PeerTube) as [account, channel], and commentsPolicy without commentsEnabled', () => {
    const doc = clone(real('ap-video-9000.json'));
    doc.attributedTo = ['http://localhost:9000/accounts/root', 'http://localhost:9000/video-channels/root_channel'];
    delete doc.commentsEnabled;
    doc.commentsPolicy = 2;
    const parsed = parseVideoObject(doc);
    expect(parsed.ok && parsed.value).toMatchObject({ accountUrl: 'http://localhost:9000/accounts/root', channelUrl: 'http://localhost:9000/video-channels/root_channel', commentsEnabled: false });
  });

  it('unlisted when Public is only in cc', () => {
    const parsed = parseVideoObject({ ...real('ap-video-9000.json'), to: [], cc: ['https://www.w3.org/ns/activitystreams#Public'] });
    expect(parsed.ok && parsed.value.privacy).toBe('unlisted');
  });

  it('drops malformed file, torrent and tag entries instead of refusing the video', () => {
    const doc = clone(real('ap-video-9000.json')) as Record<string, unknown> & { url: Record<string, unknown>[]; tag: unknown[] };
    doc.url[1]!.size = 'big';
    doc.url.push({ type: 'Link', mediaType: 'video/mp4', href: 'javascript:alert(1)', height: 1, size: 1 }, 'junk' as never);
    doc.tag = [{ type: 'Hashtag', name: 'ok' }, { type: 'Hashtag', name: 'x' }, { type: 'Mention', name: 'm' }, 5];
    const parsed = parseVideoObject(doc);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.webVideoFiles.map((f) => f.resolution)).toEqual([240]);
    expect(parsed.value.tags).toEqual(['ok']);
  });

  it.each<[string, (doc: Record<string, unknown>) => void, Partial<VocabRefusal>]>([
    ['not a Video', (d) => (d.type = 'Note'), { type: 'wrong-type', received: 'Note' }],
    ['no id', (d) => delete d.id, { type: 'missing-field', field: 'id' }],
    ['no uuid', (d) => delete d.uuid, { type: 'missing-field', field: 'uuid' }],
    ['bad uuid', (d) => (d.uuid = 'nope'), { type: 'invalid-field', field: 'uuid' }],
    ['short name', (d) => (d.name = 'ab'), { type: 'invalid-field', field: 'name' }],
    ['bad duration', (d) => (d.duration = '5 seconds'), { type: 'invalid-field', field: 'duration' }],
    ['negative views', (d) => (d.views = -1), { type: 'invalid-field', field: 'views' }],
    ['bad published', (d) => (d.published = 'yesterday'), { type: 'invalid-field', field: 'published' }],
    ['no updated', (d) => delete d.updated, { type: 'missing-field', field: 'updated' }],
    ['no url[]', (d) => delete d.url, { type: 'missing-field', field: 'url' }],
    ['no icon', (d) => delete d.icon, { type: 'missing-field', field: 'icon' }],
    ['only invalid icons', (d) => (d.icon = [{ type: 'Image', url: 'x' }]), { type: 'missing-field', field: 'icon' }],
    ['no attributedTo', (d) => (d.attributedTo = []), { type: 'missing-field', field: 'attributedTo' }],
    ['content of another type', (d) => ((d.content = 'x'), (d.mediaType = 'text/plain')), { type: 'invalid-field', field: 'mediaType' }],
    ['category not a number', (d) => (d.category = { identifier: 'music', name: 'Music' }), { type: 'invalid-field', field: 'category.identifier' }],
    ['too many urls', (d) => (d.url = Array.from({ length: 301 }, () => ({}))), { type: 'too-large', field: 'url', max: 300 }],
    ['too many icons', (d) => (d.icon = Array.from({ length: 21 }, () => ({}))), { type: 'too-large', field: 'icon', max: 20 }],
    [
      'too many HLS tags',
      (d) => ((d.url as Record<string, unknown>[]).find((u) => u.mediaType === 'application/x-mpegURL')!.tag = Array.from({ length: 301 }, () => ({}))),
      { type: 'too-large', field: 'url.9.tag' },
    ],
  ])('refuses: %s', (_, mutate, expected) => {
    const doc = clone(real('ap-video-9000.json'));
    mutate(doc);
    expect(refusal(parseVideoObject(doc))).toMatchObject(expected);
  });
});

describe('parseCacheFile', () => {
  it('reads the HLS and web-video CacheFiles of the fixtures', () => {
    const hls = parseCacheFile((real('activity-Create-CacheFile-hls-received-by-a.json') as { object: unknown }).object);
    expect(hls.ok && hls.value).toEqual({
      id: 'http://localhost:9001/redundancy/streaming-playlists/hls/9c034b30-c3ba-4d72-87cb-2c4b81391e52',
      videoUrl: 'http://localhost:9000/videos/watch/9c034b30-c3ba-4d72-87cb-2c4b81391e52',
      expires: '2026-11-22T19:23:35.986Z',
      to: ['http://localhost:9000/accounts/root'],
      cc: [],
      kind: 'hls',
      baseUrl: 'http://localhost:9001/static/redundancy/hls/9c034b30-c3ba-4d72-87cb-2c4b81391e52',
    });
    const web = parseCacheFile((real('activity-Create-CacheFile-webvideo-received-by-a.json') as { object: unknown }).object);
    expect(web.ok && web.value).toMatchObject({ kind: 'web-video', height: 360, size: 507261, fps: 25, mediaType: 'video/mp4' });
    expect(parseCacheFile(real('ap-cachefile-hls-get-9001-numeric-type-route.json')).ok).toBe(true);
  });

  it('refuses malformed CacheFiles', () => {
    const object = (real('activity-Create-CacheFile-hls-received-by-a.json') as { object: Record<string, unknown> }).object;
    expect(refusal(parseCacheFile({ ...object, type: 'Video' }))).toMatchObject({ type: 'wrong-type' });
    expect(refusal(parseCacheFile({ ...object, object: undefined }))).toEqual({ type: 'missing-field', field: 'object' });
    expect(refusal(parseCacheFile({ ...object, url: { type: 'Link', mediaType: 'text/html', href: 'http://a.example/x' } }))).toMatchObject({ type: 'invalid-field', field: 'url.mediaType' });
    expect(refusal(parseCacheFile({ ...object, url: { type: 'Link', mediaType: 'video/mp4', href: 'http://a.example/x.mp4' } }))).toEqual({ type: 'missing-field', field: 'url.height' });
  });
});

describe('readMagnetUri', () => {
  it('reads hex and base32 info hashes and the torrent URL', () => {
    expect(readMagnetUri('magnet:?xs=http%3A%2F%2Fa%2Fb.torrent&xt=urn:btih:87C7A1AB47AC91F2F9B265FF8315ADDBD8C9C5C2&dn=x')).toEqual({
      infoHash: '87c7a1ab47ac91f2f9b265ff8315addbd8c9c5c2',
      torrentUrl: 'http://a/b.torrent',
    });
    expect(readMagnetUri('magnet:?xt=urn:btih:Q7D2DK2HVSI7F6NSMX7YGFNN3PMMTROC')?.infoHash).toBe('87c7a1ab47ac91f2f9b265ff8315addbd8c9c5c2');
    expect(readMagnetUri('magnet:?dn=x')).toBeNull();
    expect(readMagnetUri('http://a/b')).toBeNull();
  });
});

describe('activities built by us are accepted by our parser', () => {
  it('Create of a Video and Announce', () => {
    const input = video9000Input();
    const { to: _to, cc: _cc, ...object } = buildVideoObject(input);
    const create = withContext(buildCreate({ actor: input.accountUrl, object, audience: input.audience }), 'Video');
    const parsed = parseActivity(create);
    expect(parsed.ok && parsed.value).toMatchObject({ type: 'Create', objectType: 'Video', objectId: input.url, actor: input.accountUrl });
    expect(parsed.ok && parseVideoObject(parsed.value.object).ok).toBe(true);
    const announce = parseActivity(buildAnnounce({ id: `${input.url}/announces/1`, actor: input.channelUrl, object: input.url, audience: input.audience }));
    expect(announce.ok && announce.value.objectId).toBe(input.url);
  });
});
