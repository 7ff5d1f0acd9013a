// Inputs taken from the real PeerTube 6.3 captures (../shared/reference/peertube/real/), so that
// our builders' output can be compared with PeerTube's whole documents.
import { buildMagnetUri } from '../../../../src/p2p/index.js';
import type { VideoFileInput, VideoObjectInput } from '../../../../src/federation/vocab/index.js';
import { publicAudience } from '../../../../src/federation/vocab/index.js';
import { readReference } from '../reference-fixtures.js';

export const real = (name: string): Record<string, unknown> => readReference(`real/${name}`);

/** The document without the keys PeerTube adds when sending (LD signature). */
export function withoutSignature<T extends Record<string, unknown>>(doc: T): Omit<T, 'signature'> {
  const { signature: _signature, ...rest } = doc;
  return rest;
}

/** Every key path of a JSON value in document order: compares key order, not only contents. */
export function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${prefix}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...keyPaths(v, `${prefix}.${k}`)]);
  }
  return [];
}

const BASE = 'http://localhost:9000';
const UUID = '58338225-4a2b-4f8d-9506-ef418ce1c194';
const TRACKERS = [`${BASE}/tracker/announce`, 'ws://localhost:9000/tracker/socket'];

function file(f: { fileUrl: string; metadataId: number; torrent: string; infoHash: string; resolution: number; width: number; size: number }): VideoFileInput {
  const torrentUrl = `${BASE}/lazy-static/torrents/${f.torrent}`;
  return {
    resolution: f.resolution,
    width: f.width,
    height: f.resolution,
    fps: 25,
    size: f.size,
    mediaType: 'video/mp4',
    fileUrl: f.fileUrl,
    metadataUrl: `${BASE}/api/v1/videos/${UUID}/metadata/${f.metadataId}`,
    torrentUrl,
    magnetUri: buildMagnetUri({ infoHash: f.infoHash, name: 'test', torrentUrl, trackers: TRACKERS, webseeds: [f.fileUrl] }),
    hasAudio: true,
    hasVideo: true,
  };
}

const hlsFile = (name: string) => `${BASE}/static/streaming-playlists/hls/${UUID}/${name}`;

/** ap-video-9000.json as builder input. */
export function video9000Input(): VideoObjectInput {
  const url = `${BASE}/videos/watch/${UUID}`;
  return {
    url,
    uuid: UUID,
    name: 'test',
    durationSeconds: 5,
    category: null,
    licence: null,
    language: null,
    views: 0,
    nsfw: false,
    waitTranscoding: true,
    state: 1,
    commentsEnabled: true,
    downloadEnabled: true,
    published: new Date('2026-11-22T19:10:20.142Z'),
    originallyPublishedAt: null,
    updated: '2026-11-22T19:10:20.142Z',
    tags: [],
    description: null,
    support: null,
    icons: [
      { url: `${BASE}/lazy-static/thumbnails/1b28c1bd-6675-43c2-88ff-bc6a7dec4903.jpg`, width: 280, height: 157 },
      { url: `${BASE}/lazy-static/previews/fafbe259-b1c0-41d0-8727-d9116edbb89d.jpg`, width: 850, height: 480 },
    ],
    storyboard: { url: `${BASE}/lazy-static/storyboards/e7edde85-dd9b-40a1-9e53-4c791854d45a.jpg`, width: 960, height: 108, tileWidth: 192, tileHeight: 108, tileDurationSeconds: 1 },
    aspectRatio: 1.7778,
    // deliberately unsorted: the builder orders files by resolution, highest first
    webVideoFiles: [
      file({ fileUrl: `${BASE}/static/web-videos/f44a390d-3213-4dec-9efd-39f7fa21b8ff-240.mp4`, metadataId: 4, torrent: 'f33df078-e95f-4e7f-845d-f8b9171cdeb2-240.torrent', infoHash: '5db6f523ede43a66bd7b271504689552dfe7d99d', resolution: 240, width: 426, size: 78401 }),
      file({ fileUrl: `${BASE}/static/web-videos/267f779d-cc66-4c51-ae31-4861b49c710f-360.mp4`, metadataId: 2, torrent: 'b506b411-012b-4598-b6db-d0d90f7b755e-360.torrent', infoHash: '87c7a1ab47ac91f2f9b265ff8315addbd8c9c5c2', resolution: 360, width: 640, size: 80823 }),
    ],
    hls: {
      playlistUrl: hlsFile('07dc012e-e8b0-4903-8522-1085af8503ea-master.m3u8'),
      segmentsSha256Url: hlsFile('2c9e50e7-d156-4997-a37f-4984908f421d-segments-sha256.json'),
      infohashes: ['11b9e2e13839bbfe640a3401e8587f473afeeaa7', '34ae796e671448dface8ce82320eb27ee5dfe69b'],
      files: [
        file({ fileUrl: hlsFile('4ce14aa1-5928-4c8a-8ef9-018e7b6da374-360-fragmented.mp4'), metadataId: 3, torrent: '47061f7f-e519-45e9-8566-a88c918c1162-360-hls.torrent', infoHash: '27fe40a48652ff2f47dd3d537e1ae2c7b44a40f6', resolution: 360, width: 640, size: 88100 }),
        file({ fileUrl: hlsFile('305bb626-7bcf-4e2f-8930-b997a89eb95f-240-fragmented.mp4'), metadataId: 5, torrent: 'b917b8af-0317-4cab-9a81-510349e9544a-240-hls.torrent', infoHash: '52f87a832cf7baf3626c85f942196165828f72c6', resolution: 240, width: 426, size: 77739 }),
      ],
      redundancies: [],
    },
    trackerUrls: TRACKERS,
    accountUrl: `${BASE}/accounts/root`,
    channelUrl: `${BASE}/video-channels/root_channel`,
    live: null,
    audience: publicAudience([`${BASE}/accounts/root/followers`]),
  };
}
