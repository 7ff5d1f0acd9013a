import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import { videoAccess } from '../../../src/videos/video-access.js';
import { createVideoFileTokens } from '../../../src/videos/video-file-tokens.js';
import { reinjectVideoFileToken } from '../../../src/http/static/reinject-video-file-token.js';
import { replaceTorrentUrlList } from '../../../src/p2p/torrent-url-list.js';
import { encodeBencode } from '../../../src/p2p/bencode-encode.js';
import { decodeBencode, isBencodeDict } from '../../../src/p2p/bencode-decode.js';
import { isInPrivateFolder, layoutForPrivacy, urlsForPrivacy } from '../../../src/videos/privacy-folders.js';
import { createStorageLayout } from '../../../src/videos/storage-layout.js';
import { createInstanceUrls } from '../../../src/lib/instance-urls.js';

describe('videoAccess (PeerTube rules)', () => {
  const owner = { id: 7, role: 2 };
  const other = { id: 8, role: 2 };
  const moderator = { id: 9, role: 1 };
  it.each([
    [1, undefined, null],
    [2, undefined, null],
    [3, undefined, 'auth-required'],
    [3, other, 'forbidden'],
    [3, owner, null],
    [3, moderator, null],
    [4, undefined, 'auth-required'],
    [4, other, null],
    [5, other, 'forbidden'],
  ] as const)('privacy %i, viewer %j → %s', (privacy, viewer, expected) => {
    expect(videoAccess(viewer, { privacy, ownerUserId: 7 })).toBe(expected);
  });
});

describe('video file tokens', () => {
  it('open one video for 8 hours on the injected clock', () => {
    const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
    const tokens = createVideoFileTokens({ clock });
    const { token, expires } = tokens.create({ videoUuid: 'a', userId: 1 });
    expect(expires).toBe('2026-01-01T08:00:00.000Z');
    expect(tokens.check(token, 'a')).toEqual({ userId: 1 });
    expect(tokens.check(token, 'b')).toBeNull();
    clock.advance(8 * 3600_000 - 1);
    expect(tokens.check(token, 'a')).not.toBeNull();
    clock.advance(1);
    expect(tokens.check(token, 'a')).toBeNull();
  });

  it('keep at most maxTokens (the oldest go first)', () => {
    const clock = createManualClock();
    const tokens = createVideoFileTokens({ clock, maxTokens: 10 });
    const first = tokens.create({ videoUuid: 'a', userId: 1 }).token;
    for (let i = 0; i < 1000; i++) tokens.create({ videoUuid: 'a', userId: 1 });
    expect(tokens.size).toBeLessThanOrEqual(10);
    expect(tokens.check(first, 'a')).toBeNull();
  });
});

describe('reinjectVideoFileToken', () => {
  it('adds the token to URI lines and URI attributes', () => {
    const playlist = '#EXTM3U\n#EXT-X-MAP:URI="a-240-fragmented.mp4",BYTERANGE="10@0"\n#EXTINF:2,\na-240-fragmented.mp4\nb.m3u8?x=1\n';
    expect(reinjectVideoFileToken(playlist, 'tok')).toBe(
      '#EXTM3U\n#EXT-X-MAP:URI="a-240-fragmented.mp4?videoFileToken=tok",BYTERANGE="10@0"\n#EXTINF:2,\na-240-fragmented.mp4?videoFileToken=tok\nb.m3u8?x=1&videoFileToken=tok\n',
    );
  });
});

describe('replaceTorrentUrlList', () => {
  it('replaces the webseeds and keeps the info dictionary byte for byte', () => {
    const info = new Map<string, string | number>([['name', 'x'], ['piece length', 16384]]);
    const torrent = encodeBencode(new Map<string, unknown>([['info', info], ['url-list', ['http://a/static/web-videos/f.mp4']]]) as never);
    const out = replaceTorrentUrlList(torrent, ['http://a/static/web-videos/private/f.mp4'])!;
    const decoded = decodeBencode(out);
    expect(decoded.ok && isBencodeDict(decoded.value)).toBe(true);
    expect(out.toString('latin1')).toContain('private/f.mp4');
    expect(out.toString('latin1')).not.toContain('web-videos/f.mp4');
    expect(out.includes(encodeBencode(info as never))).toBe(true);
    expect(replaceTorrentUrlList(Buffer.from('not a torrent'), [])).toBeNull();
  });
});

describe('privacy folders', () => {
  it('puts private, internal and password-protected videos under the private folders and URLs', () => {
    expect([1, 2, 3, 4, 5].map(isInPrivateFolder)).toEqual([false, false, true, true, true]);
    const layout = createStorageLayout({ root: '/s', tmp: '/s/tmp', web_videos: '/s/web', streaming_playlists: '/s/sp', redundancy: '/s/r', torrents: '/s/t', thumbnails: '/s/th', previews: '/s/p', database: '/s/db' } as never);
    expect(layoutForPrivacy(layout, 3).hlsDir('u')).toBe('/s/sp/hls/private/u');
    expect(layoutForPrivacy(layout, 3).webVideo('f.mp4')).toBe('/s/web/private/f.mp4');
    expect(layoutForPrivacy(layout, 1).hlsDir('u')).toBe('/s/sp/hls/u');
    const urls = createInstanceUrls({ https: true, hostname: 'tube.example', port: 443 });
    expect(urlsForPrivacy(urls, 4).hlsFile('u', 'master.m3u8')).toBe('https://tube.example/static/streaming-playlists/hls/private/u/master.m3u8');
    expect(urlsForPrivacy(urls, 4).webVideo('f.mp4')).toBe('https://tube.example/static/web-videos/private/f.mp4');
    expect(urlsForPrivacy(urls, 2).webVideo('f.mp4')).toBe('https://tube.example/static/web-videos/f.mp4');
  });
});
