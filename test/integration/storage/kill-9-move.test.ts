import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { killChildren, type ChildInstance } from '../../support/child-instance.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestS3, type TestS3 } from './s3-server.js';
import { startStallingProxy } from './stalling-proxy.js';
import { startBucketNode } from './bucket-node.js';

const PASSWORD = 'kill-move-password';

interface File {
  fileUrl: string;
  torrentUrl: string;
}
interface Details {
  state: { id: number };
  files: File[];
  streamingPlaylists: { files: File[] }[];
}

/**
 * SIGKILL of the node that transcoded a video while its move to object storage runs (the mirrortube
 * command in a child process; its third upload to the playlists bucket hangs in a proxy): after the
 * restart the move job finishes, and the buckets hold exactly what the video's rows name: no
 * object of the killed run, nor of an older transcode (a web video and a torrent of another
 * ladder, planted meanwhile), is left; deleting the video then empties every bucket.
 */
describe('kill -9 during the move of a transcoded video to the bucket', () => {
  let s3: TestS3 | undefined;
  let storage = '';
  let proxy: Awaited<ReturnType<typeof startStallingProxy>> | undefined;
  const children: ChildInstance[] = [];

  afterAll(async () => {
    await killChildren(children);
    await proxy?.close();
    await s3?.close();
    if (storage) await rm(storage, { recursive: true, force: true });
  });

  it('leaves no orphan object in any bucket after the restart', async () => {
    onTestFailed(() => {
      for (const [i, c] of children.entries()) console.error(`--- run ${i + 1}:\n${c.output().slice(-4000)}`);
    });
    s3 = await startTestS3(['c']);
    let playlistPuts = 0;
    proxy = await startStallingProxy(s3.endpoint, (req) => req.method === 'PUT' && (req.url ?? '').startsWith('/c-playlists/') && ++playlistPuts === 3);
    storage = await mkdtemp(join(tmpdir(), 'mt-kill-move-'));
    const node = await startBucketNode({ storage, password: PASSWORD, config: { object_storage: { ...s3.configFor('c', { extras: true }), endpoint: proxy.url }, transcoding: { web_videos: { enabled: true } } } });
    const { first, api } = node;
    children.push(first);
    const uuid = await node.upload(await generatedClip({ seconds: 3 }), 'killed while moved');

    // --- the move hangs after two objects of the HLS folder: kill the node there
    await proxy.held;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await s3.keys('c-playlists')).toHaveLength(2);
    // what an older transcode (another ladder) left in the buckets
    await s3.put('c-videos', `${uuid}-1080.mp4`, 'older run');
    await s3.put('c-torrents', `${uuid}-1080.torrent`, 'older run');

    // --- restart: the bucket answers again, the move job is taken over after its lease
    proxy.release();
    children.push(await node.start());
    const hlsDir = join(storage, 'streaming-playlists', 'hls', uuid);
    await waitFor('the move finished', async () => ((await readdir(hlsDir).catch(() => [])).length === 0 && (await s3!.keys('c-thumbnails')).length === 2 ? true : undefined), 120_000);

    const v = (await (await api(`/api/v1/videos/${uuid}`)).json()) as Details;
    expect(v.state.id).toBe(1);
    const hlsFiles = v.streamingPlaylists[0]!.files;
    const name = (url: string) => url.split('/').pop()!;
    const playlists = await s3.keys('c-playlists');
    expect(playlists.every((k) => k.startsWith(`${uuid}/`))).toBe(true);
    for (const f of hlsFiles) expect(playlists).toContain(`${uuid}/${name(f.fileUrl)}`);
    // master, a variant playlist per resolution, the hashes, a fragmented mp4 per resolution
    expect(playlists).toHaveLength(2 + 2 * hlsFiles.length);
    expect(await s3.keys('c-videos')).toEqual(v.files.map((f) => name(f.fileUrl)).sort());
    expect(await s3.keys('c-torrents')).toEqual([...v.files, ...hlsFiles].map((f) => name(f.torrentUrl)).sort());
    // served through our routes from the bucket
    const segment = await fetch(hlsFiles[0]!.fileUrl, { headers: { range: 'bytes=0-99' } });
    expect(segment.status).toBe(206);

    // --- deleted: nothing of it anywhere
    expect((await api(`/api/v1/videos/${uuid}`, { method: 'DELETE' })).status).toBe(204);
    for (const bucket of ['c-playlists', 'c-videos', 'c-torrents', 'c-thumbnails']) expect(await s3.keys(bucket), bucket).toEqual([]);
  });
});
