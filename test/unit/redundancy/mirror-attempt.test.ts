import { describe, expect, it } from 'vitest';
import { attemptMirror, type CopyOutcome, type MirrorAttemptPorts, type VideoToMirror } from '../../../src/redundancy/mirror-attempt.js';
import {
  describeMirrorFailure,
  isOriginNotFound,
  isPermanentMirrorFailure,
  mirrorFailureStage,
  type MirrorFailure,
} from '../../../src/redundancy/mirror/index.js';
import { fileProbeRanges } from '../../../src/redundancy/origin/probe-file-copy.js';

const ORIGIN = 'https://pt.example/static/streaming-playlists/hls/u';
const video = (master: string, files = ['a-360-fragmented.mp4']): VideoToMirror => ({
  uuid: 'u',
  hls: { playlistUrl: `${ORIGIN}/${master}`, segmentsSha256Url: `${ORIGIN}/s.json`, files: files.map((filename) => ({ filename, size: 10n, torrentUrl: null })) },
});

/** In-memory origin: which master answers, what the stored video says, what a refetch says. */
function ports(o: { stored: VideoToMirror | null; afterRefetch?: VideoToMirror | null; serves: string; refetch?: 'refreshed' | 'deleted' | 'failed' | null }) {
  let current = o.stored;
  const copies: string[] = [];
  let refetches = 0;
  const p: MirrorAttemptPorts = {
    loadVideo: async () => current,
    copy: async (input): Promise<CopyOutcome> => {
      copies.push(input.playlistUrl);
      return input.playlistUrl.endsWith(o.serves) ? { ok: true, totalBytes: 42 } : { ok: false, reason: NOT_FOUND };
    },
    ...(o.refetch === null
      ? {}
      : {
          refetchVideo: async () => {
            refetches++;
            if (o.refetch === 'deleted') current = null;
            else if (o.refetch !== 'failed') current = o.afterRefetch ?? current;
            return o.refetch ?? 'refreshed';
          },
        }),
  };
  return { p, copies, refetches: () => refetches };
}
const signal = new AbortController().signal;
const NOT_FOUND: MirrorFailure = {
  type: 'fetch-failed',
  message: 'master playlist: answered 404',
  url: `${ORIGIN}/old.m3u8`,
  cause: { type: 'http-error', status: 404, message: 'answered 404' },
};

describe('a mirror attempt that meets a 404 at the origin', () => {
  it('refetches the video object, then retries with what the origin says now', async () => {
    const t = ports({ stored: video('fcd52734-master.m3u8'), afterRefetch: video('780082ee-master.m3u8', ['a-360-fragmented.mp4', 'b-240-fragmented.mp4']), serves: '780082ee-master.m3u8' });
    const result = await attemptMirror(t.p, 1, { signal, reuse: false });
    expect(result).toMatchObject({ type: 'copied', totalBytes: 42, refetched: true });
    expect(t.copies).toEqual([`${ORIGIN}/fcd52734-master.m3u8`, `${ORIGIN}/780082ee-master.m3u8`]);
    expect(t.refetches()).toBe(1);
  });

  it('counts the failure when the retry fails too (one refetch only)', async () => {
    const t = ports({ stored: video('old.m3u8'), serves: 'never.m3u8' });
    expect(await attemptMirror(t.p, 1, { signal, reuse: false })).toEqual({ type: 'failed', reason: NOT_FOUND, refetched: true });
    expect(t.copies).toHaveLength(2);
    expect(t.refetches()).toBe(1);
  });

  it('stops when the origin deleted the video', async () => {
    const t = ports({ stored: video('old.m3u8'), serves: 'never.m3u8', refetch: 'deleted' });
    expect(await attemptMirror(t.p, 1, { signal, reuse: false })).toEqual({ type: 'gone' });
  });

  it('without a refetch port, fails at once', async () => {
    const t = ports({ stored: video('old.m3u8'), serves: 'never.m3u8', refetch: null });
    expect(await attemptMirror(t.p, 1, { signal, reuse: false })).toMatchObject({ type: 'failed', refetched: false });
    expect(t.copies).toHaveLength(1);
  });

  it('does not refetch after a success', async () => {
    const t = ports({ stored: video('m.m3u8'), serves: 'm.m3u8' });
    expect(await attemptMirror(t.p, 1, { signal, reuse: false })).toMatchObject({ type: 'copied', refetched: false });
    expect(t.refetches()).toBe(0);
  });
});

describe('a MirrorFailure reaches the job as it is', () => {
  const mismatch: MirrorFailure = { type: 'hash-mismatch', message: 'a.mp4: bytes 0-9 hash to x', file: 'a.mp4', range: '0-9' };
  // a URL with "hash" in it is still a download failure (the old message sniffing counted it as verify)
  const hashUrl: MirrorFailure = {
    type: 'fetch-failed',
    message: 'https://pt.example/hash/s.json answered 503',
    url: 'https://pt.example/hash/s.json',
    cause: { type: 'http-error', status: 503, message: 'answered 503' },
  };
  it('keeps the stored text, and types decide retry, refetch and the metric stage', () => {
    expect(describeMirrorFailure(mismatch)).toBe('hash-mismatch: a.mp4: bytes 0-9 hash to x');
    expect([isPermanentMirrorFailure(mismatch), mirrorFailureStage(mismatch), isOriginNotFound(mismatch)]).toEqual([true, 'verify', false]);
    expect([isPermanentMirrorFailure(hashUrl), mirrorFailureStage(hashUrl), isOriginNotFound(hashUrl)]).toEqual([false, 'download', false]);
    expect([isPermanentMirrorFailure(NOT_FOUND), isOriginNotFound(NOT_FOUND)]).toEqual([false, true]);
    expect(isPermanentMirrorFailure({ type: 'aborted', message: 'cancelled' })).toBe(false);
  });
});

describe('fileProbeRanges', () => {
  it('compares the first and last 64 KiB, or the whole of a small file', () => {
    expect(fileProbeRanges(0)).toEqual([]);
    expect(fileProbeRanges(1000)).toEqual([[0, 999]]);
    expect(fileProbeRanges(1_000_000)).toEqual([
      [0, 65_535],
      [1_000_000 - 65_536, 999_999],
    ]);
  });
});
