import { describe, expect, it } from 'vitest';
import {
  activityIds,
  audienceFromFollowersOf,
  buildAccept,
  buildActorObject,
  buildAnnounce,
  buildCreate,
  buildDelete,
  buildDislike,
  buildFollow,
  buildHlsCacheFile,
  buildLike,
  buildOrderedCollection,
  buildOrderedCollectionPage,
  buildReject,
  buildUndo,
  buildUpdate,
  buildVideoObject,
  buildView,
  contextFor,
  directAudience,
  pageWindow,
  parseActivityStreamDuration,
  publicAudience,
  toActivityStreamDuration,
  unlistedAudience,
  withContext,
  type ActorObjectInput,
} from '../../../../src/federation/vocab/index.js';
import { keyPaths, real, video9000Input, withoutSignature } from './fixtures.js';

const BASE = 'http://localhost:9000';

describe('contextFor: the @context arrays PeerTube 6.3 sends', () => {
  it.each([
    ['Video', 'ap-video-9000.json'],
    ['Actor', 'actor-account-root-9000.json'],
    ['CacheFile', 'activity-Create-CacheFile-hls-received-by-a.json'],
    ['View', 'activity-View-received-by-a.json'],
    ['Comment', 'activity-Create-Note-received-by-a.json'],
    ['ApproveReply', 'activity-ApproveReply-received-by-b.json'],
    ['Announce', 'activity-Announce-received-by-b.json'],
    ['Rate', 'activity-Like-received-by-a.json'],
    ['Collection', 'outbox-root-page1-9000.json'],
  ] as const)('%s matches %s', (kind, file) => {
    const context = real(file)['@context'];
    expect(contextFor(kind)).toEqual(context);
    expect(keyPaths(contextFor(kind))).toEqual(keyPaths(context));
  });

  it('returns a fresh array each time (callers may not corrupt it)', () => {
    const a = contextFor('Video');
    (a[3] as Record<string, unknown>).pt = 'changed';
    expect((contextFor('Video')[3] as Record<string, unknown>).pt).toBe('https://joinpeertube.org/ns#');
  });
});

describe('buildVideoObject', () => {
  it('is byte for byte ap-video-9000.json (same keys, same order, same url[] structure)', () => {
    const fixture = real('ap-video-9000.json');
    const built = withContext(buildVideoObject(video9000Input()), 'Video');
    expect(built).toEqual(fixture);
    expect(keyPaths(built)).toEqual(keyPaths(fixture));
    expect(JSON.stringify(built)).toBe(JSON.stringify(fixture));
  });

  it('url[]: HTML first, web videos (file, metadata, torrent, magnet) by resolution, HLS, then trackers', () => {
    const url = buildVideoObject(video9000Input()).url as { mediaType?: string; name?: string; height?: number }[];
    expect(url.map((u) => u.mediaType ?? u.name)).toEqual([
      'text/html',
      ...['video/mp4', 'application/json', 'application/x-bittorrent', 'application/x-bittorrent;x-scheme-handler/magnet'],
      ...['video/mp4', 'application/json', 'application/x-bittorrent', 'application/x-bittorrent;x-scheme-handler/magnet'],
      'application/x-mpegURL',
      'tracker-http',
      'tracker-websocket',
    ]);
    expect(url.slice(1, 9).map((u) => u.height)).toEqual([360, 360, 360, 360, 240, 240, 240, 240]);
  });

  it('adds one redundancy link per mirror at the end of the HLS tag list, and nothing when there is none', () => {
    const input = video9000Input();
    const plain = buildVideoObject(input);
    input.hls!.redundancies = [{ baseUrl: `http://localhost:9001/static/redundancy/hls/${input.uuid}` }];
    const mirrored = buildVideoObject(input);
    const hlsOf = (o: typeof plain) => (o.url as { mediaType?: string; tag?: Record<string, unknown>[] }[]).find((u) => u.mediaType === 'application/x-mpegURL')!.tag!;
    expect(hlsOf(mirrored).slice(0, -1)).toEqual(hlsOf(plain));
    expect(hlsOf(mirrored).at(-1)).toEqual({
      type: 'Link',
      name: 'redundancy',
      rel: ['redundancy'],
      mediaType: 'application/x-mpegURL',
      href: `http://localhost:9001/static/redundancy/hls/${input.uuid}`,
    });
  });

  it('writes category, licence and language after uuid, tags as Hashtags, and no preview without a storyboard', () => {
    const input = { ...video9000Input(), category: { id: 15, label: 'Science & Technology' }, licence: { id: 1, label: 'Attribution' }, language: { id: 'fr', label: 'French' } };
    const built = buildVideoObject({ ...input, tags: ['tag1', 'tag2'], storyboard: null, commentsEnabled: false, description: '**hi**' });
    expect(Object.keys(built).slice(0, 10)).toEqual(['to', 'cc', 'type', 'id', 'name', 'duration', 'uuid', 'category', 'licence', 'language']);
    expect(built).toMatchObject({
      category: { identifier: '15', name: 'Science & Technology' },
      licence: { identifier: '1', name: 'Attribution' },
      language: { identifier: 'fr', name: 'French' },
      tag: [
        { type: 'Hashtag', name: 'tag1' },
        { type: 'Hashtag', name: 'tag2' },
      ],
      commentsEnabled: false,
      commentsPolicy: 2,
      content: '**hi**',
    });
    expect('preview' in built).toBe(false);
  });

  it('unlisted videos are addressed to nobody, cc Public', () => {
    const built = buildVideoObject({ ...video9000Input(), audience: unlistedAudience() });
    expect(built.to).toEqual([]);
    expect(built.cc).toEqual(['https://www.w3.org/ns/activitystreams#Public']);
  });
});

describe('buildActorObject', () => {
  const actor = (fixture: Record<string, unknown>, input: Partial<ActorObjectInput>): ActorObjectInput => {
    const f = fixture as { id: string; preferredUsername: string; name: string; published: string; publicKey: { publicKeyPem: string } };
    return {
      type: 'Person',
      url: f.id,
      preferredUsername: f.preferredUsername,
      name: f.name,
      summary: null,
      inboxUrl: `${f.id}/inbox`,
      sharedInboxUrl: `${BASE}/inbox`,
      outboxUrl: `${f.id}/outbox`,
      followersUrl: `${f.id}/followers`,
      followingUrl: `${f.id}/following`,
      publicKeyPem: f.publicKey.publicKeyPem,
      published: new Date(f.published),
      ...input,
    };
  };

  it.each([
    ['actor-account-root-9000.json', { type: 'Person' as const }],
    ['actor-instance-peertube-9000.json', { type: 'Application' as const }],
    ['actor-channel-root_channel-9000.json', { type: 'Group' as const, support: null, ownerAccountUrl: `${BASE}/accounts/root` }],
  ])('is byte for byte %s', (file, input) => {
    const fixture = real(file);
    const built = withContext(buildActorObject(actor(fixture, input)), 'Actor');
    expect(JSON.stringify(built)).toBe(JSON.stringify(fixture));
  });
});

describe('activities', () => {
  const video = `${BASE}/videos/watch/9c034b30-c3ba-4d72-87cb-2c4b81391e52`;

  it('Announce by a channel = activity-Announce-received-by-b.json', () => {
    const fixture = withoutSignature(real('activity-Announce-received-by-b.json'));
    const built = withContext(
      buildAnnounce({
        id: activityIds.announce(video, 3),
        actor: `${BASE}/video-channels/root_channel`,
        object: video,
        audience: audienceFromFollowersOf([`${BASE}/video-channels/root_channel/followers`, `${BASE}/accounts/peertube/followers`, `${BASE}/accounts/root/followers`]),
      }),
      'Announce',
    );
    expect(JSON.stringify(built)).toBe(JSON.stringify(fixture));
  });

  it('Like = activity-Like-received-by-a.json (context Rate, id before type)', () => {
    const fixture = withoutSignature(real('activity-Like-received-by-a.json'));
    const actor = 'http://localhost:9001/accounts/root';
    const built = withContext(buildLike({ id: activityIds.like(actor, 2), actor, object: video, audience: directAudience(`${BASE}/accounts/root`) }), 'Rate');
    expect(JSON.stringify(built)).toBe(JSON.stringify(fixture));
  });

  it('Dislike mirrors Like', () => {
    const actor = 'http://localhost:9001/accounts/root';
    expect(buildDislike({ id: activityIds.dislike(actor, 2), actor, object: video, audience: directAudience(`${BASE}/accounts/root`) })).toEqual({
      to: [`${BASE}/accounts/root`],
      cc: [],
      id: 'http://localhost:9001/accounts/root/dislikes/2',
      type: 'Dislike',
      actor,
      object: video,
    });
  });

  it('View = activity-View-received-by-a.json', () => {
    const fixture = withoutSignature(real('activity-View-received-by-a.json'));
    const actor = 'http://localhost:9001/accounts/peertube';
    const built = withContext(
      buildView({
        id: activityIds.view(actor, 2, '1d295c17a284c7460a393018fee7495ba8f860bd086e7745cf6d221a394c6adb-9c034b30-c3ba-4d72-87cb-2c4b81391e52'),
        actor,
        object: video,
        audience: directAudience(`${BASE}/accounts/root`),
        expires: new Date('2026-11-22T19:13:43.620Z'),
      }),
      'View',
    );
    expect(JSON.stringify(built)).toBe(JSON.stringify(fixture));
    expect(buildView({ id: 'x', actor, object: video, audience: directAudience(actor), expires: new Date(0), viewersCount: 3 }).result).toEqual({
      interactionType: 'WatchAction',
      type: 'InteractionCounter',
      userInteractionCount: 3,
    });
  });

  it('Create CacheFile = activity-Create-CacheFile-hls-received-by-a.json', () => {
    const fixture = withoutSignature(real('activity-Create-CacheFile-hls-received-by-a.json'));
    const mirror = 'http://localhost:9001';
    const cacheFile = buildHlsCacheFile({
      id: activityIds.hlsCacheFile(mirror, '9c034b30-c3ba-4d72-87cb-2c4b81391e52'),
      videoUrl: video,
      expires: '2026-11-22T19:23:35.986Z',
      baseUrl: `${mirror}/static/redundancy/hls/9c034b30-c3ba-4d72-87cb-2c4b81391e52`,
      audience: directAudience(`${BASE}/accounts/root`),
    });
    const built = withContext(buildCreate({ actor: `${mirror}/accounts/peertube`, object: cacheFile, audience: directAudience(`${BASE}/accounts/root`) }), 'CacheFile');
    expect(JSON.stringify(built)).toBe(JSON.stringify(fixture));
  });

  it('the CacheFile object alone = ap-cachefile-hls-get-9001-numeric-type-route.json', () => {
    const fixture = real('ap-cachefile-hls-get-9001-numeric-type-route.json');
    const built = withContext(
      buildHlsCacheFile({
        id: 'http://localhost:9001/redundancy/streaming-playlists/hls/9c034b30-c3ba-4d72-87cb-2c4b81391e52',
        videoUrl: video,
        expires: new Date('2026-11-22T19:23:35.986Z'),
        baseUrl: 'http://localhost:9001/static/redundancy/hls/9c034b30-c3ba-4d72-87cb-2c4b81391e52',
        audience: publicAudience(['http://localhost:9001/accounts/peertube/followers']),
      }),
      'CacheFile',
    );
    expect(JSON.stringify(built)).toBe(JSON.stringify(fixture));
  });

  it('Update Video = activity-Update-Video-received-by-b.json', () => {
    const fixture = withoutSignature(real('activity-Update-Video-received-by-b.json')) as Record<string, unknown> & { object: Record<string, unknown> };
    const { to: _to, cc: _cc, ...object } = fixture.object as { id: string; to: string[]; cc: string[] };
    const built = withContext(
      buildUpdate({
        id: activityIds.update(video, '2026-11-22T19:13:23.921Z'),
        actor: `${BASE}/accounts/root`,
        object,
        audience: publicAudience([`${BASE}/accounts/root/followers`]),
      }),
      'Video',
    );
    expect(JSON.stringify(built)).toBe(JSON.stringify(fixture));
  });

  it('Create Video in an outbox page = outbox-root-page1-9000.json', () => {
    const fixture = real('outbox-root-page1-9000.json');
    const input = video9000Input();
    const { to: _to, cc: _cc, ...object } = buildVideoObject(input);
    const create = buildCreate({ actor: `${BASE}/accounts/root`, object, audience: input.audience });
    const page = withContext(buildOrderedCollectionPage({ id: `${BASE}/accounts/root/outbox`, page: 1, totalItems: 1, items: [create] }), 'Collection');
    expect(JSON.stringify(page)).toBe(JSON.stringify(fixture));
    expect(create.id).toBe(`${input.url}/activity`);
  });

  it('Follow, Accept, Reject, Undo (PeerTube shapes and ids)', () => {
    const follower = 'http://localhost:9001/accounts/peertube';
    const follow = buildFollow({ id: activityIds.follow(follower, 1), actor: follower, object: `${BASE}/accounts/peertube` });
    expect(follow).toEqual({ type: 'Follow', id: 'http://localhost:9001/accounts/peertube/follows/1', actor: follower, object: `${BASE}/accounts/peertube` });
    expect(Object.keys(follow)).toEqual(['type', 'id', 'actor', 'object']);
    expect(buildAccept({ id: activityIds.acceptFollow(BASE, 7), actor: `${BASE}/accounts/peertube`, follow })).toEqual({
      type: 'Accept',
      id: `${BASE}/accepts/follows/7`,
      actor: `${BASE}/accounts/peertube`,
      object: follow,
    });
    expect(buildReject({ id: activityIds.rejectFollow(BASE, new Date('2026-01-01T00:00:00Z')), actor: `${BASE}/accounts/peertube`, follow }).id).toBe(
      `${BASE}/rejects/follows/2026-01-01T00:00:00.000Z`,
    );
    const undo = buildUndo({ actor: follower, object: follow });
    expect(undo).toEqual({
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${follower}/followers`],
      type: 'Undo',
      id: `${follow.id}/undo`,
      actor: follower,
      object: follow,
    });
  });

  it('Delete, with and without audience', () => {
    expect(buildDelete({ actor: `${BASE}/accounts/root`, object: video })).toEqual({ type: 'Delete', id: `${video}/delete`, actor: `${BASE}/accounts/root`, object: video });
    expect(Object.keys(buildDelete({ actor: 'a', object: video, audience: audienceFromFollowersOf(['f']) }))).toEqual(['to', 'cc', 'type', 'id', 'actor', 'object']);
  });
});

describe('collections', () => {
  it('summary = followers-peertube-9000.json / outbox-peertube-9000.json; no first when empty', () => {
    for (const [file, id] of [
      ['followers-peertube-9000.json', `${BASE}/accounts/peertube/followers`],
      ['outbox-peertube-9000.json', `${BASE}/accounts/peertube/outbox`],
    ] as const) {
      expect(JSON.stringify(withContext(buildOrderedCollection({ id, totalItems: 1 }), 'Collection'))).toBe(JSON.stringify(real(file)));
    }
    expect(buildOrderedCollection({ id: 'x', totalItems: 0 })).toEqual({ id: 'x', type: 'OrderedCollection', totalItems: 0 });
  });

  it('page = followers-peertube-page1-9000.json; prev/next by PeerTube rules', () => {
    const id = `${BASE}/accounts/peertube/followers`;
    const page = withContext(buildOrderedCollectionPage({ id, page: 1, totalItems: 1, items: ['http://localhost:9001/accounts/peertube'] }), 'Collection');
    expect(JSON.stringify(page)).toBe(JSON.stringify(real('followers-peertube-page1-9000.json')));
    const middle = buildOrderedCollectionPage({ id, page: 2, totalItems: 25, items: [] });
    expect(Object.keys(middle)).toEqual(['id', 'type', 'prev', 'next', 'partOf', 'orderedItems', 'totalItems']);
    expect(middle).toMatchObject({ prev: `${id}?page=1`, next: `${id}?page=3` });
    expect(buildOrderedCollectionPage({ id, page: 3, totalItems: 25, items: [] })).not.toHaveProperty('next');
    expect(buildOrderedCollectionPage({ id, page: 2, size: 20, totalItems: 25, items: [] })).not.toHaveProperty('next');
    expect(pageWindow(3)).toEqual({ start: 20, count: 10 });
  });
});

describe('durations', () => {
  it.each([
    ['PT5S', 5],
    ['PT0S', 0],
    ['PT1H2M3S', 3723],
    ['P1DT1S', 86401],
    ['PT2.9S', 2],
    ['PT1M', 60],
  ])('%s = %i s', (text, seconds) => expect(parseActivityStreamDuration(text)).toBe(seconds));

  it.each(['5', 'PT', 'P', 'PTS', 'PT-5S', '1 minute', `PT${'9'.repeat(50)}S`])('refuses %s', (text) => expect(parseActivityStreamDuration(text)).toBeNull());

  it('writes whole seconds', () => expect(toActivityStreamDuration(5.4)).toBe('PT5S'));
});
