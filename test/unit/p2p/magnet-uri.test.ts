import { describe, expect, it } from 'vitest';
import { buildMagnetTrackers, buildMagnetUri, buildTrackerUrls } from '../../../src/p2p/index.js';

// Values copied from real PeerTube responses (shared/reference/peertube/real/):
// rest-videodetails-9000.json, rest-videodetails-remote-on-9001.json, rest-videodetails2-9000.json.
const HTTP_TRACKER = 'http://localhost:9000/tracker/announce';
const WS_TRACKER = 'ws://localhost:9000/tracker/socket';

describe('buildMagnetUri matches PeerTube byte for byte', () => {
  it.each([
    {
      fixture: 'rest-videodetails-9000 files[0] (web video 360p)',
      input: {
        torrentUrl: 'http://localhost:9000/lazy-static/torrents/b506b411-012b-4598-b6db-d0d90f7b755e-360.torrent',
        infoHash: '87c7a1ab47ac91f2f9b265ff8315addbd8c9c5c2',
        name: 'test',
        trackers: [HTTP_TRACKER, WS_TRACKER],
        webseeds: ['http://localhost:9000/static/web-videos/267f779d-cc66-4c51-ae31-4861b49c710f-360.mp4'],
      },
      expected:
        'magnet:?xs=http%3A%2F%2Flocalhost%3A9000%2Flazy-static%2Ftorrents%2Fb506b411-012b-4598-b6db-d0d90f7b755e-360.torrent&xt=urn:btih:87c7a1ab47ac91f2f9b265ff8315addbd8c9c5c2&dn=test&tr=http%3A%2F%2Flocalhost%3A9000%2Ftracker%2Fannounce&tr=ws%3A%2F%2Flocalhost%3A9000%2Ftracker%2Fsocket&ws=http%3A%2F%2Flocalhost%3A9000%2Fstatic%2Fweb-videos%2F267f779d-cc66-4c51-ae31-4861b49c710f-360.mp4',
    },
    {
      fixture: 'rest-videodetails-9000 streamingPlaylists[0].files[1] (HLS 240p)',
      input: {
        torrentUrl: 'http://localhost:9000/lazy-static/torrents/b917b8af-0317-4cab-9a81-510349e9544a-240-hls.torrent',
        infoHash: '52f87a832cf7baf3626c85f942196165828f72c6',
        name: 'test',
        trackers: [HTTP_TRACKER, WS_TRACKER],
        webseeds: [
          'http://localhost:9000/static/streaming-playlists/hls/58338225-4a2b-4f8d-9506-ef418ce1c194/305bb626-7bcf-4e2f-8930-b997a89eb95f-240-fragmented.mp4',
        ],
      },
      expected:
        'magnet:?xs=http%3A%2F%2Flocalhost%3A9000%2Flazy-static%2Ftorrents%2Fb917b8af-0317-4cab-9a81-510349e9544a-240-hls.torrent&xt=urn:btih:52f87a832cf7baf3626c85f942196165828f72c6&dn=test&tr=http%3A%2F%2Flocalhost%3A9000%2Ftracker%2Fannounce&tr=ws%3A%2F%2Flocalhost%3A9000%2Ftracker%2Fsocket&ws=http%3A%2F%2Flocalhost%3A9000%2Fstatic%2Fstreaming-playlists%2Fhls%2F58338225-4a2b-4f8d-9506-ef418ce1c194%2F305bb626-7bcf-4e2f-8930-b997a89eb95f-240-fragmented.mp4',
    },
    {
      fixture: 'rest-videodetails-remote-on-9001 files[0] (remote video: tracker order from the origin)',
      input: {
        torrentUrl: 'http://localhost:9001/lazy-static/torrents/f01e0efa-b189-4241-b8d9-cb822e17c326-360.torrent',
        infoHash: '87c7a1ab47ac91f2f9b265ff8315addbd8c9c5c2',
        name: 'test',
        trackers: [WS_TRACKER, HTTP_TRACKER],
        webseeds: ['http://localhost:9000/static/web-videos/267f779d-cc66-4c51-ae31-4861b49c710f-360.mp4'],
      },
      expected:
        'magnet:?xs=http%3A%2F%2Flocalhost%3A9001%2Flazy-static%2Ftorrents%2Ff01e0efa-b189-4241-b8d9-cb822e17c326-360.torrent&xt=urn:btih:87c7a1ab47ac91f2f9b265ff8315addbd8c9c5c2&dn=test&tr=ws%3A%2F%2Flocalhost%3A9000%2Ftracker%2Fsocket&tr=http%3A%2F%2Flocalhost%3A9000%2Ftracker%2Fannounce&ws=http%3A%2F%2Flocalhost%3A9000%2Fstatic%2Fweb-videos%2F267f779d-cc66-4c51-ae31-4861b49c710f-360.mp4',
    },
    {
      fixture: 'rest-videodetails2-9000 files[0] (web video with a redundancy copy on 9001)',
      input: {
        torrentUrl: 'http://localhost:9000/lazy-static/torrents/72cbfc34-9c2c-4955-84c0-465f78ace34b-360.torrent',
        infoHash: '65b580f66616a951601ccef52af7c77ee71a82af',
        name: 'test2',
        trackers: [HTTP_TRACKER, WS_TRACKER],
        webseeds: [
          'http://localhost:9000/static/web-videos/68417c96-52da-4142-9cc3-8baa231e81d3-360.mp4',
          'http://localhost:9001/static/redundancy/68417c96-52da-4142-9cc3-8baa231e81d3-360.mp4',
        ],
      },
      expected:
        'magnet:?xs=http%3A%2F%2Flocalhost%3A9000%2Flazy-static%2Ftorrents%2F72cbfc34-9c2c-4955-84c0-465f78ace34b-360.torrent&xt=urn:btih:65b580f66616a951601ccef52af7c77ee71a82af&dn=test2&tr=http%3A%2F%2Flocalhost%3A9000%2Ftracker%2Fannounce&tr=ws%3A%2F%2Flocalhost%3A9000%2Ftracker%2Fsocket&ws=http%3A%2F%2Flocalhost%3A9000%2Fstatic%2Fweb-videos%2F68417c96-52da-4142-9cc3-8baa231e81d3-360.mp4&ws=http%3A%2F%2Flocalhost%3A9001%2Fstatic%2Fredundancy%2F68417c96-52da-4142-9cc3-8baa231e81d3-360.mp4',
    },
  ])('$fixture', ({ input, expected }) => {
    expect(buildMagnetUri(input)).toBe(expected);
  });

  it('builds the local tracker order from the public URL', () => {
    expect(buildMagnetTrackers(buildTrackerUrls('http://localhost:9000'))).toEqual([HTTP_TRACKER, WS_TRACKER]);
  });

  it('encodes names like magnet-uri does (spaces as +, the rest percent-encoded)', () => {
    const uri = buildMagnetUri({ infoHash: 'AB'.repeat(20), name: 'Été & co: 50% off?', trackers: [], webseeds: [] });
    expect(uri).toBe(`magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=%C3%89t%C3%A9+%26+co%3A+50%25+off%3F`);
  });

  it('drops duplicate trackers and webseeds, and omits xs without a torrent URL', () => {
    const uri = buildMagnetUri({
      infoHash: '0'.repeat(40),
      name: 'x',
      trackers: ['http://a/tracker/announce', 'http://a/tracker/announce'],
      webseeds: ['http://a/f.mp4', 'http://a/f.mp4'],
    });
    expect(uri).toBe(`magnet:?xt=urn:btih:${'0'.repeat(40)}&dn=x&tr=http%3A%2F%2Fa%2Ftracker%2Fannounce&ws=http%3A%2F%2Fa%2Ff.mp4`);
  });
});
