import { readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOffsetClock } from '../../../src/lib/clock.js';
import { signRequest } from '../../../src/federation/signatures/index.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { ROOT_PASSWORD, startTestInstance, type TestInstance } from '../../support/instance.js';

interface Listed {
  total: number;
  data: { id: number; name: string; uuid: string; redundancies: { files: unknown[]; streamingPlaylists: { id: number; fileUrl: string; strategy: string; createdAt: string; updatedAt: string; expiresOn: string | null; size: number }[] } }[];
}

/**
 * PeerTube's redundancy admin API with its rights and codes, manual copies (which never expire, on
 * either side), and the origin's rule that only the announcing actor may update or undo a CacheFile.
 * B mirrors A by hand; C is another instance B follows, and the one that tries to forge.
 */
describe('redundancy admin API, manual copies, and CacheFiles only their announcer may change', () => {
  const clock = createOffsetClock();
  let a: TestInstance;
  let b: TestInstance;
  let c: TestInstance;
  let userToken = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const uuids: string[] = [];
  const json = { 'content-type': 'application/json' };
  const redundanciesOn = async (t: TestInstance, uuid: string) =>
    (await t.json<{ streamingPlaylists: { redundancies: { baseUrl: string }[] }[] }>(`/api/v1/videos/${uuid}`, { token: null })).streamingPlaylists[0]!.redundancies;
  const copyBase = (uuid: string) => `${b.url}/static/redundancy/hls/${uuid}`;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      startTestInstance({ db: 'embedded', clock }),
      startTestInstance({ db: 'postgres', clock, overrides: { redundancy: { min_lifetime_floor: '1 second', videos: { check_interval: '10 minutes', strategies: [] } } } }),
      startTestInstance({ db: 'embedded', clock }),
    ]);
    for (const origin of [a, c]) expect((await b.api('/api/v1/server/following', { method: 'POST', headers: json, body: JSON.stringify({ hosts: [hostOf(origin)] }) })).status).toBe(204);
    // C follows A too: it hears of A's videos and of the copies A forwards
    expect((await c.api('/api/v1/server/following', { method: 'POST', headers: json, body: JSON.stringify({ hosts: [hostOf(a)] }) })).status).toBe(204);
    for (const name of ['alpha', 'beta']) {
      const { video } = (await (await a.uploadMultipart(await generatedClip(), { name, channelId: '1' })).json()) as { video: { uuid: string } };
      await a.waitForPublished(video.uuid);
      uuids.push(video.uuid);
    }
    for (const uuid of uuids) await waitFor(`${uuid} on B`, () => b.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
    await waitFor('both follows accepted', async () => {
      const list = await b.json<{ data: { state: string }[] }>('/api/v1/server/following');
      return list.data.length === 2 && list.data.every((f) => f.state === 'accepted') ? true : undefined;
    }, 30_000);
    expect((await b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: json, body: JSON.stringify({ redundancyAllowed: true }) })).status).toBe(204);
    expect((await b.api('/api/v1/users', { method: 'POST', headers: json, body: JSON.stringify({ username: 'viewer', password: 'viewer-password', email: 'viewer@example.org', role: 2 }) })).status).toBe(200);
    userToken = await b.login('viewer', 'viewer-password');
  });
  afterAll(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((i) => i.stop()));
  });

  it('GET /server/following sorts by redundancyAllowed', async () => {
    const hosts = async (sort: string) => (await b.json<{ data: { following: { host: string; hostRedundancyAllowed: boolean } }[] }>(`/api/v1/server/following?sort=${sort}`)).data.map((f) => [f.following.host, f.following.hostRedundancyAllowed]);
    expect(await hosts('-redundancyAllowed')).toEqual([[hostOf(a), true], [hostOf(c), false]]);
    expect(await hosts('redundancyAllowed')).toEqual([[hostOf(c), false], [hostOf(a), true]]);
  });

  it('every admin endpoint answers 401 without a token and 403 without the right', async () => {
    const calls: [string, string, unknown?][] = [
      ['PUT', `/api/v1/server/redundancy/${hostOf(a)}`, { redundancyAllowed: false }],
      ['GET', '/api/v1/server/redundancy/videos?target=remote-videos'],
      ['POST', '/api/v1/server/redundancy/videos', { videoId: 1 }],
      ['DELETE', '/api/v1/server/redundancy/videos/1'],
      ['GET', '/api/v1/server/redundancy/policy'],
      ['PUT', '/api/v1/server/redundancy/policy', { strategies: [] }],
    ];
    for (const [method, path, body] of calls) {
      const init = { method, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
      expect([method, path, (await b.api(path, { ...init, token: null })).status]).toEqual([method, path, 401]);
      expect([method, path, (await b.api(path, { ...init, token: userToken })).status]).toEqual([method, path, 403]);
    }
    // nothing changed
    expect((await b.json<{ data: { following: { hostRedundancyAllowed: boolean } }[] }>('/api/v1/server/following?sort=-redundancyAllowed')).data[0]!.following.hostRedundancyAllowed).toBe(true);
  });

  it('manual copies: made on request, listed with PeerTube\'s fields, paginated and sorted', async () => {
    for (const uuid of uuids) {
      const id = (await b.json<{ id: number }>(`/api/v1/videos/${uuid}`)).id;
      expect((await b.api('/api/v1/server/redundancy/videos', { method: 'POST', headers: json, body: JSON.stringify({ videoId: id }) })).status).toBe(204);
    }
    for (const uuid of uuids) await waitFor(`the manual copy of ${uuid} listed on A`, async () => (JSON.stringify(await redundanciesOn(a, uuid)) === JSON.stringify([{ baseUrl: copyBase(uuid) }]) ? true : undefined), 60_000);
    const all = await b.json<Listed>('/api/v1/server/redundancy/videos?target=remote-videos');
    expect(all.total).toBe(2);
    expect(all.data.map((d) => d.name)).toEqual(['alpha', 'beta']);
    for (const d of all.data) {
      expect(d.redundancies.files).toEqual([]);
      const [entry] = d.redundancies.streamingPlaylists;
      expect(entry).toMatchObject({ id: expect.any(Number), fileUrl: copyBase(d.uuid), strategy: 'manual', expiresOn: null, size: expect.any(Number) });
      expect(Date.parse(entry!.createdAt)).not.toBeNaN();
      expect(Date.parse(entry!.updatedAt)).not.toBeNaN();
      expect(entry!.size).toBeGreaterThan(0);
    }
    const second = await b.json<Listed>('/api/v1/server/redundancy/videos?target=remote-videos&start=1&count=1');
    expect([second.total, second.data.map((d) => d.name)]).toEqual([2, ['beta']]);
    const reversed = await b.json<Listed>('/api/v1/server/redundancy/videos?target=remote-videos&sort=-name');
    expect(reversed.data.map((d) => d.name)).toEqual(['beta', 'alpha']);
    // on the origin, the copies of its videos
    const theirs = await a.json<Listed>('/api/v1/server/redundancy/videos?target=my-videos');
    expect(theirs.data.map((d) => d.redundancies.streamingPlaylists.map((r) => [r.fileUrl, r.expiresOn]))).toEqual(uuids.map((u) => [[copyBase(u), null]]));
  });

  it('a CacheFile of B cannot be undone or updated by another actor: not by C, not by another account of B', async () => {
    const uuid = uuids[0]!;
    const cacheFileId = `${b.url}/redundancy/streaming-playlists/hls/${uuid}`;
    const cacheFile = { id: cacheFileId, type: 'CacheFile', object: `${a.url}/videos/watch/${uuid}`, expires: null, url: { type: 'Link', mediaType: 'application/x-mpegURL', href: copyBase(uuid) } };
    const context = ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1', { pt: 'https://joinpeertube.org/ns#', sc: 'http://schema.org/', CacheFile: 'pt:CacheFile', expires: 'sc:expires' }];
    const send = async (from: TestInstance, name: string, kind: 'Undo' | 'Update') => {
      const actor = await from.instance.prisma.actor.findFirstOrThrow({ where: { preferredUsername: name, host: null } });
      const activity =
        kind === 'Undo'
          ? { '@context': context, id: `${actor.url}/forged-undo`, type: 'Undo', actor: actor.url, object: { id: `${cacheFileId}/activity/1`, type: 'Create', actor: actor.url, object: cacheFile } }
          : { '@context': context, id: `${actor.url}/forged-update`, type: 'Update', actor: actor.url, object: { ...cacheFile, expires: new Date(clock.now().getTime() + 60_000).toISOString() } };
      const body = JSON.stringify(activity);
      const signed = signRequest({ method: 'POST', url: `${a.url}/inbox`, body, keyId: actor.keyId!, privateKeyPem: actor.privateKeyPem!, now: clock.now() });
      const res = await fetch(`${a.url}/inbox`, { method: 'POST', headers: { 'content-type': 'application/activity+json', date: signed.Date, digest: signed.Digest!, signature: signed.Signature }, body });
      return { res, id: activity.id };
    };
    // C: the CacheFile is on another host than its actor, refused at the door (nothing stored)
    for (const kind of ['Undo', 'Update'] as const) {
      const { res, id } = await send(c, 'peertube', kind);
      expect([kind, res.status, ((await res.json()) as { detail: string }).detail]).toEqual([kind, 403, expect.stringMatching(/origin/)]);
      expect(await a.instance.prisma.inboxActivity.count({ where: { activityId: id } })).toBe(0);
    }
    // B's root account: same host as the CacheFile, so accepted and stored, then refused by the handler
    for (const kind of ['Undo', 'Update'] as const) {
      const { res, id } = await send(b, 'root', kind);
      expect(res.status).toBeLessThan(300);
      const handled = await waitFor(`the forged ${kind} handled by A`, async () => {
        const row = await a.instance.prisma.inboxActivity.findFirst({ where: { activityId: id } });
        return row && row.state !== 'pending' ? row : undefined;
      }, 30_000);
      expect([kind, handled.state, handled.error]).toEqual([kind, 'skipped', kind === 'Undo' ? 'no such copy of this actor' : 'this CacheFile belongs to another actor']);
    }
    expect(await redundanciesOn(a, uuid)).toEqual([{ baseUrl: copyBase(uuid) }]);
    // still a manual copy (no expiry) on the origin
    expect((await a.instance.prisma.videoRedundancy.findFirstOrThrow({ where: { url: cacheFileId } })).expiresOn).toBeNull();
  });

  it('manual copies never expire: days later, after the mirror\'s and the origin\'s ticks, both are still listed', async () => {
    clock.advance(3 * 24 * 3600_000);
    expect((await b.instance.scheduler.runNow('redundancy-plan')).status).toBe('completed');
    expect((await a.instance.scheduler.runNow('redundancy-probe')).status).toBe('completed');
    for (const uuid of uuids) for (const t of [a, b]) expect(await redundanciesOn(t, uuid)).toEqual([{ baseUrl: copyBase(uuid) }]);
  });

  it('DELETE /server/redundancy/videos/:redundancyId withdraws one copy and deletes its files', async () => {
    const token = await b.login('root', ROOT_PASSWORD); // the clock moved past the first token's lifetime
    const listed = await b.json<Listed>('/api/v1/server/redundancy/videos?target=remote-videos', { token });
    const alpha = listed.data.find((d) => d.name === 'alpha')!;
    expect((await b.api(`/api/v1/server/redundancy/videos/${alpha.redundancies.streamingPlaylists[0]!.id}`, { method: 'DELETE', token })).status).toBe(204);
    expect(await readdir(join(b.config.storage.redundancy, 'hls'))).toEqual([uuids[1]]);
    await waitFor('the copy gone from A', async () => ((await redundanciesOn(a, alpha.uuid)).length === 0 ? true : undefined), 30_000);
    expect(await redundanciesOn(a, uuids[1]!)).toEqual([{ baseUrl: copyBase(uuids[1]!) }]);
    expect((await b.api(`/api/v1/server/redundancy/videos/${alpha.redundancies.streamingPlaylists[0]!.id}`, { method: 'DELETE', token })).status).toBe(404);
  });

  it('the origin hides a copy that fails its periodic probe, and lists it again once it passes', async () => {
    const uuid = uuids[1]!;
    const dir = join(b.config.storage.redundancy, 'hls', uuid);
    const media = (await readdir(dir)).filter((f) => f.endsWith('-fragmented.mp4'));
    expect(media.length).toBeGreaterThan(0);
    const probe = async () => {
      clock.advance(2 * 3600_000); // past remote_redundancy.videos.probe_interval (1 hour)
      expect((await a.instance.scheduler.runNow('redundancy-probe')).status).toBe('completed');
    };
    // the segments the probe asks for are gone from the mirror
    for (const f of media) await rename(join(dir, f), join(dir, `${f}.away`));
    await probe();
    expect(await redundanciesOn(a, uuid)).toEqual([]);
    const row = await a.instance.prisma.videoRedundancy.findFirstOrThrow({ where: { video: { uuid } } });
    expect([row.remoteState, row.reason]).toEqual(['unhealthy', expect.stringMatching(/segment/)]);
    for (const f of media) await rename(join(dir, `${f}.away`), join(dir, f));
    await probe();
    expect(await redundanciesOn(a, uuid)).toEqual([{ baseUrl: copyBase(uuid) }]);
  });

  it('a copy found complete in place for an unfinished row (a crash before it became active) is verified and announced, not downloaded again', async () => {
    const uuid = uuids[1]!;
    const dir = join(b.config.storage.redundancy, 'hls', uuid);
    const media = (await readdir(dir)).find((f) => f.endsWith('-fragmented.mp4'))!;
    const before = (await stat(join(dir, media))).ino;
    // the state a crash between the atomic move and the row's activation leaves: a planned row
    // (never announced) and the complete copy in place
    const old = await b.instance.prisma.videoRedundancy.findFirstOrThrow({ where: { video: { uuid }, actor: { host: null } } });
    await b.instance.prisma.videoRedundancy.delete({ where: { id: old.id } });
    await a.instance.prisma.videoRedundancy.deleteMany({ where: { video: { uuid } } });
    const { id: _id, createdAt: _c, updatedAt: _u, ...data } = old;
    await b.instance.prisma.videoRedundancy.create({ data: { ...data, state: 'planned' } });
    await b.instance.redundancy.engine.cleanup(); // what start-up does
    await waitFor('the copy active again on B', async () => ((await b.instance.prisma.videoRedundancy.findFirst({ where: { video: { uuid }, actor: { host: null } } }))?.state === 'active' ? true : undefined), 30_000);
    await waitFor('the copy announced to A again', async () => (JSON.stringify(await redundanciesOn(a, uuid)) === JSON.stringify([{ baseUrl: copyBase(uuid) }]) ? true : undefined), 30_000);
    // the same file: kept and verified, not fetched again
    expect((await stat(join(dir, media))).ino).toBe(before);
  });
});
