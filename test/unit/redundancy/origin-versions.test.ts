import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVideoObject } from '../../../src/federation/vocab/index.js';
import { hlsFileSetDigest } from '../../../src/redundancy/file-set.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

const S2 = join(PEERTUBE_REAL_DIR, 'session-2');
const versions = readdirSync(S2)
  .filter((f) => /^pt-video-ap-\d\d-.*\.json$/.test(f))
  .sort()
  .map((name) => {
    const parsed = parseVideoObject(JSON.parse(readFileSync(join(S2, name), 'utf8')));
    if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.reason)}`);
    const hls = parsed.value.hls;
    // as the remote video store keeps it: the origin's URLs, files named after their last path segment
    const fileSet = hls ? hlsFileSetDigest({ ...hls, files: hls.files.map((f) => ({ filename: f.fileUrl.split('/').pop()!, size: f.size })) }) : null;
    return { name: name.replace(/\.json$/, ''), state: parsed.value.state, fileSet };
  });

/**
 * Every version of PeerTube's video in session-2 (upload → transcoding → edit), read as our
 * planner sees it: mirrorable only from `published` on, and a copy refreshed exactly when the HLS
 * file set changes (not when a web video is added, not on an edit).
 */
describe("PeerTube's video versions (session-2 pt-video-ap-01…09) as the planner sees them", () => {
  it('is published (state 1) from 05 on; 01…04 are "to transcode" (2)', () => {
    expect(versions.map((v) => [v.name.slice(0, 14), v.state])).toEqual([
      ['pt-video-ap-01', 2],
      ['pt-video-ap-02', 2],
      ['pt-video-ap-03', 2],
      ['pt-video-ap-04', 2],
      ['pt-video-ap-05', 1],
      ['pt-video-ap-06', 1],
      ['pt-video-ap-07', 1],
      ['pt-video-ap-08', 1],
      ['pt-video-ap-09', 1],
    ]);
  });

  it('changes file set at 04 (HLS 360), 05 (master renamed), 07 (HLS 240), 08 (final master); not at 06 (a web video) nor 09 (an edit)', () => {
    const changed = versions.slice(1).map((v, i) => [v.name.slice(0, 14), v.fileSet !== versions[i]!.fileSet]);
    expect(changed).toEqual([
      ['pt-video-ap-02', false],
      ['pt-video-ap-03', false],
      ['pt-video-ap-04', true],
      ['pt-video-ap-05', true],
      ['pt-video-ap-06', false],
      ['pt-video-ap-07', true],
      ['pt-video-ap-08', true],
      ['pt-video-ap-09', false],
    ]);
  });
});
