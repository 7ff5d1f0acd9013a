import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBencode, isBencodeDict } from '../../../src/p2p/index.js';
import { p2pMediaLoaderInfohashes } from '../../../src/transcoding/index.js';
import { generatedClip } from '../../support/media.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

const percentBytes = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

// Our private tracker accepted announces of a private video's infohashes: anyone who had them
// could build a swarm around files that are otherwise served only after an access check.
describe('tracker: infohashes of private videos are refused', () => {
  let t: TestInstance;
  let uuid = '';
  let hashes: string[] = [];

  const setPrivacy = async (privacy: number) => {
    const res = await t.api(`/api/v1/videos/${uuid}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ privacy }) });
    expect(res.status).toBe(204);
  };
  /** The tracker's failure reason for an HTTP announce of this hex infohash (undefined: accepted). */
  const announce = async (hexInfoHash: string): Promise<string | undefined> => {
    const res = await fetch(
      `${t.url}/tracker/announce?info_hash=${percentBytes(Buffer.from(hexInfoHash, 'hex'))}&peer_id=${percentBytes(randomBytes(20))}&port=51413&uploaded=0&downloaded=0&left=0&compact=1`,
    );
    expect(res.status).toBe(200);
    const decoded = decodeBencode(Buffer.from(await res.arrayBuffer()));
    if (!decoded.ok || !isBencodeDict(decoded.value)) throw new Error('not a bencoded dictionary');
    const reason = decoded.value.entries.get('failure reason');
    return reason instanceof Uint8Array ? Buffer.from(reason).toString() : undefined;
  };

  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded', overrides: { transcoding: { web_videos: { enabled: true } } } });
    const res = await t.uploadMultipart(await generatedClip({ seconds: 2 }), { name: 'private swarm', channelId: '1', privacy: '3' });
    expect(res.status).toBe(200);
    uuid = ((await res.json()) as { video: { uuid: string } }).video.uuid;
    await t.waitForPublished(uuid);
    const video = await t.instance.prisma.video.findUniqueOrThrow({ where: { uuid }, include: { files: true, streamingPlaylists: { include: { files: true } } } });
    const playlist = video.streamingPlaylists[0]!;
    hashes = [...video.files.map((f) => f.infoHash!), ...playlist.files.map((f) => f.infoHash!), ...playlist.p2pMediaLoaderInfohashes];
    expect(video.files.length).toBeGreaterThan(0);
    expect(playlist.files.length).toBeGreaterThan(0);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses them while private, accepts them once public, refuses them again when made private', async () => {
    for (const h of hashes) expect(await announce(h)).toBe(`Unknown infoHash ${h}`);
    await setPrivacy(1);
    const publicHashes = await t.instance.prisma.videoFile.findMany({ where: { OR: [{ video: { uuid } }, { streamingPlaylist: { video: { uuid } } }] }, select: { infoHash: true } });
    for (const { infoHash } of publicHashes) expect(await announce(infoHash!)).toBeUndefined();
    // the swarm ids follow the master playlist's URL, now the public one
    const playlist = await t.instance.prisma.videoStreamingPlaylist.findFirstOrThrow({ where: { video: { uuid } }, include: { files: true } });
    const swarmIds = p2pMediaLoaderInfohashes(t.instance.urls.hlsFile(uuid, playlist.playlistFilename), playlist.files.length);
    expect(playlist.p2pMediaLoaderInfohashes).toEqual(swarmIds);
    for (const id of swarmIds) expect(await announce(id)).toBeUndefined();
    await setPrivacy(4);
    for (const { infoHash } of publicHashes) expect(await announce(infoHash!)).toBe(`Unknown infoHash ${infoHash}`);
    for (const id of swarmIds) expect(await announce(id)).toBe(`Unknown infoHash ${id}`);
  }); // the suite's timeout (test/vitest.config.ts) bounds it
});
