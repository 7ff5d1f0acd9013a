import { describe, expect, it } from 'vitest';
import { servedVideoOf, type VideoMount } from '../../../src/metrics/index.js';

const U = '58338225-4a2b-4f8d-9506-ef418ce1c194';

describe('servedVideoOf: which video a served static file belongs to', () => {
  it.each<[VideoMount, string, ReturnType<typeof servedVideoOf>]>([
    ['streaming-playlists', `${U}/master.m3u8`, { videoUuid: U, kind: 'local' }],
    ['streaming-playlists', `${U}/${U}-720-fragmented.mp4`, { videoUuid: U, kind: 'local' }],
    ['streaming-playlists', `${U}/segments-sha256.json`, { videoUuid: U, kind: 'local' }],
    ['streaming-playlists', `${U.toUpperCase()}/x.m3u8`, { videoUuid: U, kind: 'local' }],
    ['web-videos', `${U}-720.mp4`, { videoUuid: U, kind: 'local' }],
    ['web-videos', `${U}-0.m4a`, { videoUuid: U, kind: 'local' }],
    ['redundancy', `${U}/${U}-480-fragmented.mp4`, { videoUuid: U, kind: 'mirror' }],
    ['redundancy', `${U}/master.m3u8`, { videoUuid: U, kind: 'mirror' }],
    // not a video's file in PeerTube's layout → not counted
    ['streaming-playlists', `${U}`, null],
    ['streaming-playlists', `${U}/`, null],
    ['streaming-playlists', 'not-a-uuid/master.m3u8', null],
    ['streaming-playlists', `x${U}/master.m3u8`, null],
    ['web-videos', `${U}.mp4`, null],
    ['web-videos', `${U}-720.mp4.torrent.part/x`, null],
    ['web-videos', `${U}/file.mp4`, null],
    ['redundancy', `${U}-720.mp4`, null],
    ['redundancy', '', null],
  ])('%s %s', (mount, path, expected) => {
    expect(servedVideoOf(mount, path)).toEqual(expected);
  });
});
