import { describe, expect, it } from 'vitest';
import {
  buildAnnounceList,
  buildMagnetTrackers,
  buildTorrentInfoName,
  buildTrackerUrls,
} from '../../../src/p2p/index.js';

describe('buildTrackerUrls', () => {
  it.each([
    ['http://localhost:9000', 'http://localhost:9000/tracker/announce', 'ws://localhost:9000/tracker/socket'],
    ['https://videos.example.org', 'https://videos.example.org/tracker/announce', 'wss://videos.example.org/tracker/socket'],
    ['https://videos.example.org:8443/', 'https://videos.example.org:8443/tracker/announce', 'wss://videos.example.org:8443/tracker/socket'],
  ])('%s', (publicUrl, announceUrl, socketUrl) => {
    const urls = buildTrackerUrls(publicUrl);
    expect(urls).toEqual({ announceUrl, socketUrl });
    // .torrent files list the WebSocket tier first (PeerTube's buildAnnounceList), magnets HTTP first.
    expect(buildAnnounceList(urls)).toEqual([[socketUrl], [announceUrl]]);
    expect(buildMagnetTrackers(urls)).toEqual([announceUrl, socketUrl]);
  });
});

describe('buildTorrentInfoName', () => {
  it.each([
    ['test', 360, '.mp4', 'test 360p.mp4'],
    ['a/b\\c?d%e*f:g|h"i<j>k', 720, '.mp4', 'a-b-c-d-e-f-g-h-i-j-k 720p.mp4'],
    ['Été', 1080, '.webm', 'Été 1080p.webm'],
  ])('%s %dp%s', (name, resolution, ext, expected) => {
    expect(buildTorrentInfoName(name, resolution, ext)).toBe(expected);
  });
});
