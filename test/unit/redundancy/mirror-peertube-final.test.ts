import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCopyPlan, parseMasterPlaylist, parseSegmentsSha256, resolveReference, type FetchedVariant } from '../../../src/redundancy/mirror/index.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

const S2 = join(PEERTUBE_REAL_DIR, 'session-2');
const ORIGIN = 'http://localhost:9000/static/streaming-playlists/hls/4200905f-881b-413b-b1c0-dbb162bd11e8/';
const read = (name: string) => readFileSync(join(S2, name), 'utf8');

/**
 * Issue 9, D: like PeerTube's own scheduler (which refreshes the video, then downloads what its
 * master playlist lists), a copy of a PeerTube video takes every resolution of the final master
 * (pt-video-ap-08: `780082ee…-master.m3u8`, 240 and 360), with the hashes PeerTube published.
 */
describe("a copy plan of PeerTube's final HLS files (session-2)", () => {
  it('lists both resolutions of the final master, each with every hashed range', () => {
    const video = JSON.parse(read('pt-video-ap-08-after-transcoding.json')) as { url: { mediaType: string; href: string; tag?: { mediaType: string; href: string }[] }[] };
    const hls = video.url.find((u) => u.mediaType === 'application/x-mpegURL')!;
    const masterUrl = new URL(hls.href);
    expect(masterUrl.href).toBe(`${ORIGIN}780082ee-f023-4fc4-be60-294cd9b9bacd-master.m3u8`);
    const hashesUrl = new URL(hls.tag!.find((t) => t.mediaType === 'application/json')!.href);
    const master = parseMasterPlaylist(read('pt-video-hls-master.m3u8'));
    if (!master.ok) throw new Error(master.reason.message);
    const texts: Record<number, string> = { 240: read('pt-video-hls-240.m3u8'), 360: read('pt-video-hls-360.m3u8') };
    const variants: FetchedVariant[] = master.variants.map((reference) => {
      const resolved = resolveReference(reference.uri, masterUrl, masterUrl);
      if (!resolved.ok) throw new Error(resolved.reason.message);
      return { reference, url: resolved.url, filename: resolved.filename, text: texts[reference.kind === 'stream' ? reference.resolution! : 0]! };
    });
    const hashes = parseSegmentsSha256(read('pt-video-segments-sha256.json'));
    if (!hashes.ok) throw new Error(hashes.message);
    const planned = buildCopyPlan({
      playlistUrl: masterUrl,
      masterFilename: '780082ee-f023-4fc4-be60-294cd9b9bacd-master.m3u8',
      segmentsSha256Filename: hashesUrl.pathname.split('/').pop()!,
      variants,
      hashes: hashes.ranges,
      documentBytes: 0,
    });
    if (!planned.ok) throw new Error(planned.reason.message);
    expect(planned.plan.files.map((f) => [f.filename, f.resolution, f.ranges.map((r) => r.key)]).sort()).toEqual([
      ['b7598f69-83eb-4c23-95c2-0bfb0dad866e-360-fragmented.mp4', 360, ['1353-68314', '68315-136036']],
      ['f3eedd9b-bc1f-4a1e-b4e4-df4d4f908b11-240-fragmented.mp4', 240, ['1377-60451', '60452-120446']],
    ]);
    // the files of ap-08's playlist are what the plan downloads, at the origin's URLs
    const apFiles = hls.tag!.filter((t) => t.mediaType === 'video/mp4').map((t) => t.href).sort();
    expect(planned.plan.files.map((f) => f.url.href).sort()).toEqual(apFiles);
  });
});
