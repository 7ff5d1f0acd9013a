import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFfmpeg,
  generateImages,
  parseMediaPlaylist,
  planLadder,
  probeMedia,
  resolutionKeys,
  transcodeHls,
  transcodeWebVideo,
  type Ffmpeg,
  type LadderConfig,
  type MediaProbe,
  type ResolutionKey,
  type TranscodeOptions,
} from '../../../src/transcoding/index.js';

const run = promisify(execFile);

/** ffprobe run by the test itself, independently of the code under test. */
async function ffprobeJson(path: string, cwd?: string): Promise<{ streams: { codec_type: string; width?: number; height?: number }[] }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', path], { cwd });
  return JSON.parse(stdout) as { streams: { codec_type: string; width?: number; height?: number }[] };
}

function ladderConfig(enabled: ResolutionKey[]): LadderConfig {
  const resolutions = Object.fromEntries(resolutionKeys.map((k) => [k, enabled.includes(k)])) as Record<ResolutionKey, boolean>;
  return { resolutions, hls: true, webVideos: false };
}

// 1-second segments and keyframes so that a 3-second clip has several segments to hash.
const options: TranscodeOptions = { preset: 'veryfast', threads: 1, segmentDuration: 1, keyframeInterval: 1 };

let dir: string;
let ffmpeg: Ffmpeg;
const clip = () => join(dir, 'clip.mp4');
const song = () => join(dir, 'song.m4a');

async function probeOk(path: string): Promise<MediaProbe> {
  const result = await probeMedia(ffmpeg, path);
  if (!result.ok) throw new Error(`probe of ${path} failed: ${result.reason.message}`);
  return result.probe;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mirrortube-transcoding-'));
  ffmpeg = createFfmpeg();
  const quiet = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  await run('ffmpeg', [
    ...quiet,
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=3',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip(),
  ]);
  await run('ffmpeg', [...quiet, '-f', 'lavfi', '-i', 'sine=frequency=330:duration=3', '-c:a', 'aac', song()]);
  await run('ffmpeg', [...quiet, '-i', clip(), '-c', 'copy', '-movflags', 'faststart', join(dir, 'faststart.mp4')]);

  const clipBytes = await readFile(clip());
  const faststartBytes = await readFile(join(dir, 'faststart.mp4'));
  await writeFile(join(dir, 'truncated.mp4'), clipBytes.subarray(0, Math.floor(clipBytes.length / 2)));
  await writeFile(join(dir, 'truncated-faststart.mp4'), faststartBytes.subarray(0, Math.floor(faststartBytes.length * 0.7)));
  await writeFile(join(dir, 'notes.txt'), 'This is not a video, only some text.\n'.repeat(20));
  await writeFile(join(dir, 'empty.mp4'), '');
  await writeFile(join(dir, 'subtitles.srt'), '1\n00:00:01,000 --> 00:00:02,000\nHello\n');
});

afterAll(async () => {
  await ffmpeg?.killAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('probeMedia', () => {
  it('describes the test clip', async () => {
    const probe = await probeOk(clip());
    expect(probe).toMatchObject({ hasVideo: true, hasAudio: true, width: 320, height: 240, fps: 25, videoCodec: 'h264', audioCodec: 'aac' });
    expect(probe.durationSeconds).toBeCloseTo(3, 1);
    expect(probe.size).toBe((await stat(clip())).size);
  });

  it('an audio file has audio and no video', async () => {
    const probe = await probeOk(song());
    expect(probe).toMatchObject({ hasVideo: false, hasAudio: true, width: 0, height: 0, fps: 0, audioCodec: 'aac' });
  });

  it.each([
    ['a text file', 'notes.txt', 'not-media'],
    ['an empty file', 'empty.mp4', 'not-media'],
    ['an mp4 cut in half (index at the end, missing)', 'truncated.mp4', 'truncated'],
    ['a faststart mp4 cut short (index present, data missing)', 'truncated-faststart.mp4', 'truncated'],
    ['a subtitle file', 'subtitles.srt', 'no-streams'],
    ['a missing file', 'missing.mp4', 'probe-failed'],
  ])('%s is refused', async (_name, file, type) => {
    const result = await probeMedia(ffmpeg, join(dir, file));
    expect(result).toMatchObject({ ok: false, reason: { type } });
  });

  it('the complete faststart copy passes', async () => {
    expect((await probeMedia(ffmpeg, join(dir, 'faststart.mp4'))).ok).toBe(true);
  });
});

describe('transcodeHls', () => {
  it('writes a 240p + 144p ladder that ffprobe decodes, with correct segment hashes and master playlist', async () => {
    const probe = await probeOk(clip());
    const ladder = planLadder(probe, ladderConfig(['240p', '144p']));
    expect(ladder.map((r) => r.resolution)).toEqual([240, 144]);

    const outDir = join(dir, 'hls');
    const result = await transcodeHls({ ffmpeg, input: clip(), outDir, uuid: 'video-1', ladder, probe, options });
    if (!result.ok) throw new Error(JSON.stringify(result.reason));
    const { hls } = result;
    expect(hls.masterFilename).toBe('master.m3u8');
    expect(hls.playlists.map((p) => [p.resolution, p.width, p.height, p.fps, p.playlistFilename, p.fileFilename])).toEqual([
      [240, 320, 240, 25, 'video-1-240.m3u8', 'video-1-240-fragmented.mp4'],
      [144, 192, 144, 25, 'video-1-144.m3u8', 'video-1-144-fragmented.mp4'],
    ]);

    for (const playlist of hls.playlists) {
      // Every rendition's playlist plays: ffprobe reads it through the byte ranges.
      const probed = await ffprobeJson(playlist.playlistFilename, outDir);
      const video = probed.streams.find((s) => s.codec_type === 'video');
      expect(video).toMatchObject({ width: playlist.width, height: playlist.height });
      expect(probed.streams.some((s) => s.codec_type === 'audio')).toBe(true);
      expect(playlist.size).toBe((await stat(join(outDir, playlist.fileFilename))).size);

      // Keyframes on the 1-second grid: every segment but the last lasts one second.
      const parsed = parseMediaPlaylist(await readFile(join(outDir, playlist.playlistFilename), 'utf8'));
      if (!parsed.ok) throw new Error(parsed.reason.message);
      const durations = parsed.playlist.segments.map((s) => s.duration);
      expect(durations.length).toBe(3);
      for (const d of durations) expect(d).toBeCloseTo(1, 1);
    }

    // segments-sha256.json: recompute every range independently.
    const sha = JSON.parse(await readFile(join(outDir, hls.segmentsSha256Filename), 'utf8')) as Record<string, Record<string, string>>;
    expect(Object.keys(sha)).toEqual(['video-1-144-fragmented.mp4', 'video-1-240-fragmented.mp4']);
    for (const playlist of hls.playlists) {
      const bytes = await readFile(join(outDir, playlist.fileFilename));
      const ranges = Object.entries(sha[playlist.fileFilename] ?? {});
      expect(ranges.length).toBe(3);
      let expectedStart: number | null = null;
      for (const [key, hash] of ranges) {
        const [start, end] = key.split('-').map(Number) as [number, number];
        if (expectedStart !== null) expect(start).toBe(expectedStart);
        expectedStart = end + 1;
        expect(createHash('sha256').update(bytes.subarray(start, end + 1)).digest('hex')).toBe(hash);
      }
      // The ranges run to the last byte of the file.
      expect(expectedStart).toBe(bytes.length);
    }

    const master = await readFile(join(outDir, hls.masterFilename), 'utf8');
    expect(master).toMatch(
      /^#EXTM3U\n#EXT-X-VERSION:3\n\n\n#EXT-X-STREAM-INF:BANDWIDTH=\d+,RESOLUTION=192x144,FRAME-RATE=25,CODECS="avc1\.64[0-9a-f]{4},mp4a\.40\.2"\nvideo-1-144\.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=\d+,RESOLUTION=320x240,FRAME-RATE=25,CODECS="avc1\.64[0-9a-f]{4},mp4a\.40\.2"\nvideo-1-240\.m3u8\n$/,
    );
    // ffprobe can follow the master playlist too.
    const viaMaster = await ffprobeJson(hls.masterFilename, outDir);
    expect(viaMaster.streams.filter((s) => s.codec_type === 'video').length).toBe(2);
  });

  it('audio-only input: one audio rendition listed in the master playlist', async () => {
    const probe = await probeOk(song());
    const ladder = planLadder(probe, ladderConfig(['240p', '144p']));
    expect(ladder).toEqual([{ resolution: 0, width: 0, height: 0, fps: 0 }]);

    const outDir = join(dir, 'hls-audio');
    const result = await transcodeHls({ ffmpeg, input: song(), outDir, uuid: 'song', ladder, probe, options });
    if (!result.ok) throw new Error(JSON.stringify(result.reason));
    expect(result.hls.playlists).toMatchObject([{ resolution: 0, playlistFilename: 'song-0.m3u8', fileFilename: 'song-0-fragmented.mp4', hasVideo: false, hasAudio: true, codecs: 'mp4a.40.2' }]);

    const probed = await ffprobeJson('song-0.m3u8', outDir);
    expect(probed.streams.map((s) => s.codec_type)).toEqual(['audio']);
    const master = await readFile(join(outDir, 'master.m3u8'), 'utf8');
    expect(master).toMatch(/#EXT-X-STREAM-INF:BANDWIDTH=\d+,CODECS="mp4a\.40\.2"\nsong-0\.m3u8\n$/);
    const sha = JSON.parse(await readFile(join(outDir, 'segments-sha256.json'), 'utf8')) as Record<string, object>;
    expect(Object.keys(sha)).toEqual(['song-0-fragmented.mp4']);
  });

  it('a broken input handed to ffmpeg anyway gives a typed ffmpeg failure', async () => {
    const probe = await probeOk(clip());
    const result = await transcodeHls({
      ffmpeg,
      input: join(dir, 'truncated.mp4'),
      outDir: join(dir, 'hls-broken'),
      uuid: 'broken',
      ladder: planLadder(probe, ladderConfig(['144p'])),
      probe,
      options,
    });
    expect(result).toMatchObject({ ok: false, reason: { type: 'ffmpeg-failed', message: expect.stringMatching(/Invalid data/) } });
  });
});

describe('transcodeWebVideo and generateImages', () => {
  it('writes a faststart MP4 of the asked size', async () => {
    const probe = await probeOk(clip());
    const [rendition] = planLadder(probe, ladderConfig(['144p']));
    const outDir = join(dir, 'web');
    const result = await transcodeWebVideo({ ffmpeg, input: clip(), outDir, uuid: 'video-1', rendition: rendition!, probe, options });
    expect(result).toMatchObject({ ok: true, webVideo: { resolution: 144, width: 192, height: 144, fps: 25, filename: 'video-1-144.mp4' } });
    const probed = await ffprobeJson(join(outDir, 'video-1-144.mp4'));
    expect(probed.streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 192, height: 144 });
    expect(probed.streams.some((s) => s.codec_type === 'audio')).toBe(true);
    // faststart: the index comes before the media data.
    const bytes = await readFile(join(outDir, 'video-1-144.mp4'));
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
  });

  it('thumbnail and preview from a video, and black ones for audio', async () => {
    for (const [input, name] of [[clip(), 'video'], [song(), 'audio']] as const) {
      const outDir = join(dir, `images-${name}`);
      const result = await generateImages({ ffmpeg, input, outDir, probe: await probeOk(input) });
      if (!result.ok) throw new Error(JSON.stringify(result.reason));
      const thumbnail = await ffprobeJson(join(outDir, result.images.thumbnail.filename));
      const preview = await ffprobeJson(join(outDir, result.images.preview.filename));
      expect(thumbnail.streams[0]).toMatchObject({ width: 280, height: 157 });
      expect(preview.streams[0]).toMatchObject({ width: 850, height: 480 });
    }
  });
});

describe('createFfmpeg', () => {
  const endless = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=64x64', '-f', 'null', '-'];

  it('an AbortSignal kills the child', async () => {
    const controller = new AbortController();
    const pending = ffmpeg.runFfmpeg(endless, { signal: controller.signal });
    expect(ffmpeg.running()).toBe(1);
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, reason: { type: 'aborted' } });
    expect(ffmpeg.running()).toBe(0);
  });

  it('killAll ends every child', async () => {
    const own = createFfmpeg();
    const pending = [own.runFfmpeg(endless), own.runFfmpeg(endless)];
    expect(own.running()).toBe(2);
    await own.killAll();
    expect(own.running()).toBe(0);
    for (const result of await Promise.all(pending)) expect(result).toMatchObject({ ok: false, reason: { type: 'killed' } });
  });

  it('a missing binary and a failing command are values, with the stderr tail', async () => {
    const missing = createFfmpeg({ ffmpegPath: join(dir, 'no-such-ffmpeg') });
    expect(await missing.runFfmpeg(['-version'])).toMatchObject({ ok: false, reason: { type: 'spawn-failed' } });
    const failed = await ffmpeg.runFfmpeg(['-hide_banner', '-i', join(dir, 'missing.mp4')]);
    expect(failed).toMatchObject({ ok: false, reason: { type: 'exit', exitCode: 1, stderrTail: expect.stringContaining('No such file') } });
  });

  it('a signal already aborted starts nothing', async () => {
    expect(await ffmpeg.runFfprobe(['-version'], { signal: AbortSignal.abort() })).toMatchObject({ ok: false, reason: { type: 'aborted' } });
  });
});
