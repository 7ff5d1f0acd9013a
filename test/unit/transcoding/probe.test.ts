import { describe, expect, it } from 'vitest';
import { parseFfprobeJson } from '../../../src/transcoding/index.js';
import { classifyFfprobeFailure } from '../../../src/transcoding/probe.js';
import { scanIsoBmffBoxes } from '../../../src/transcoding/iso-bmff.js';

const h264 = {
  index: 0, codec_name: 'h264', profile: 'High', codec_type: 'video', codec_tag_string: 'avc1', width: 320, height: 240,
  pix_fmt: 'yuv420p', level: 13, r_frame_rate: '25/1', avg_frame_rate: '25/1', duration: '3.000000', bit_rate: '46221',
  disposition: { default: 1, attached_pic: 0 },
};
const aac = {
  index: 1, codec_name: 'aac', codec_type: 'audio', codec_tag_string: 'mp4a', sample_rate: '44100', channels: 1,
  channel_layout: 'mono', r_frame_rate: '0/0', avg_frame_rate: '0/0', duration: '3.000000', bit_rate: '69584',
};
const mp4Format = { filename: 'in.mp4', nb_streams: 2, format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '3.000000', size: '47549', bit_rate: '126797' };

const json = (value: unknown) => JSON.stringify(value);

describe('parseFfprobeJson', () => {
  it('reduces a video with audio', () => {
    expect(parseFfprobeJson(json({ streams: [h264, aac], format: mp4Format }))).toEqual({
      ok: true,
      probe: {
        durationSeconds: 3,
        size: 47549,
        formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
        bitrate: 126797,
        hasVideo: true,
        hasAudio: true,
        width: 320,
        height: 240,
        fps: 25,
        videoCodec: 'h264',
        audioCodec: 'aac',
        videoStream: { index: 0, codec: 'h264', codecTag: 'avc1', profile: 'High', level: 13, pixFmt: 'yuv420p', bitrate: 46221, rotation: 0 },
        audioStream: { index: 1, codec: 'aac', bitrate: 69584, channels: 1, channelLayout: 'mono', sampleRate: 44100 },
      },
    });
  });

  it('a phone video rotated by 90° is reported in its displayed (portrait) size', () => {
    const rotated = { ...h264, width: 1920, height: 1080, side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] };
    const result = parseFfprobeJson(json({ streams: [rotated], format: mp4Format }));
    expect(result.ok && [result.probe.width, result.probe.height, result.probe.videoStream?.rotation]).toEqual([1080, 1920, -90]);
  });

  it('fps: 30000/1001 rounds to 30; falls back to r_frame_rate when avg_frame_rate is 0/0', () => {
    const ntsc = parseFfprobeJson(json({ streams: [{ ...h264, avg_frame_rate: '30000/1001' }], format: mp4Format }));
    expect(ntsc.ok && ntsc.probe.fps).toBe(30);
    const fallback = parseFfprobeJson(json({ streams: [{ ...h264, avg_frame_rate: '0/0', r_frame_rate: '50/1' }], format: mp4Format }));
    expect(fallback.ok && fallback.probe.fps).toBe(50);
  });

  it('cover art of an audio file is not a video', () => {
    const cover = { ...h264, index: 1, codec_name: 'mjpeg', disposition: { attached_pic: 1 } };
    const mp3 = { ...aac, index: 0, codec_name: 'mp3' };
    const result = parseFfprobeJson(json({ streams: [mp3, cover], format: { format_name: 'mp3', duration: '4.0' } }));
    expect(result).toMatchObject({ ok: true, probe: { hasVideo: false, hasAudio: true, width: 0, height: 0, fps: 0, videoCodec: null, audioCodec: 'mp3' } });
  });

  it('a lone picture has no media stream', () => {
    const result = parseFfprobeJson(json({ streams: [{ ...h264, codec_name: 'mjpeg' }], format: { format_name: 'jpeg_pipe' } }));
    expect(result).toMatchObject({ ok: false, reason: { type: 'no-streams' } });
  });

  it('subtitles only: no-streams', () => {
    const srt = { index: 0, codec_name: 'subrip', codec_type: 'subtitle' };
    expect(parseFfprobeJson(json({ streams: [srt], format: { format_name: 'srt' } }))).toEqual({
      ok: false,
      reason: { type: 'no-streams', message: 'no audio or video stream (only subtitle streams)' },
    });
  });

  it('duration falls back to the longest stream when the container has none', () => {
    const result = parseFfprobeJson(json({ streams: [{ ...h264, duration: '2.5' }, { ...aac, duration: '2.7' }], format: { format_name: 'matroska,webm' } }));
    expect(result.ok && result.probe.durationSeconds).toBe(2.7);
  });

  it.each([
    ['an empty object (what ffprobe prints for non-media)', '{\n\n}', 'not-media'],
    ['not JSON', 'garbage', 'probe-failed'],
    ['a format without name', json({ streams: [], format: { duration: '1' } }), 'probe-failed'],
  ])('%s', (_name, stdout, type) => {
    expect(parseFfprobeJson(stdout)).toMatchObject({ ok: false, reason: { type } });
  });
});

describe('classifyFfprobeFailure', () => {
  const exit = (stderrTail: string) => ({ type: 'exit' as const, message: 'ffprobe exited with code 1', exitCode: 1, signal: null, stderrTail });
  it.each([
    ['t.txt: Invalid data found when processing input', 'not-media'],
    ['[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found\ntrunc.mp4: Invalid data found when processing input', 'truncated'],
    ['nonexist.mp4: No such file or directory', 'probe-failed'],
  ])('%s → %s', (stderr, type) => {
    expect(classifyFfprobeFailure(exit(stderr)).type).toBe(type);
  });

  it('keeps the last stderr line as message', () => {
    expect(classifyFfprobeFailure(exit('a\nb: Invalid data found when processing input')).message).toBe('b: Invalid data found when processing input');
  });

  it('an abort or a missing ffprobe is probe-failed', () => {
    expect(classifyFfprobeFailure({ type: 'aborted', message: 'ffprobe aborted' })).toEqual({ type: 'probe-failed', message: 'ffprobe aborted' });
    expect(classifyFfprobeFailure({ type: 'spawn-failed', message: 'cannot start ffprobe: ENOENT' }).type).toBe('probe-failed');
  });
});

describe('scanIsoBmffBoxes', () => {
  function box(type: string, size: number, declared = size): Uint8Array {
    const bytes = new Uint8Array(size);
    new DataView(bytes.buffer).setUint32(0, declared);
    bytes.set([...type].map((c) => c.charCodeAt(0)), 4);
    return bytes;
  }
  function largeBox(type: string, size: number, declared: bigint): Uint8Array {
    const bytes = new Uint8Array(size);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, 1);
    bytes.set([...type].map((c) => c.charCodeAt(0)), 4);
    view.setBigUint64(8, declared);
    return bytes;
  }
  const file = (...parts: Uint8Array[]) => {
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all;
  };
  const scan = (bytes: Uint8Array) => scanIsoBmffBoxes(async (pos, len) => bytes.subarray(pos, pos + len), bytes.length);

  it('a complete file', async () => {
    expect(await scan(file(box('ftyp', 24), box('moov', 100), box('mdat', 1000)))).toEqual({ ok: true, boxes: 3 });
  });

  it('64-bit sizes and a last box of size 0 ("to the end") are complete', async () => {
    expect(await scan(file(box('ftyp', 24), largeBox('mdat', 40, 40n)))).toEqual({ ok: true, boxes: 2 });
    expect(await scan(file(box('ftyp', 24), box('mdat', 500, 0)))).toEqual({ ok: true, boxes: 2 });
  });

  it('an mdat cut short (faststart file truncated after its moov)', async () => {
    const result = await scan(file(box('ftyp', 24), box('moov', 100), box('mdat', 600, 1000)));
    expect(result).toEqual({ ok: false, message: "box 'mdat' at offset 124 needs 1000 bytes but the file ends after 600" });
  });

  it('stray bytes and invalid sizes', async () => {
    expect(await scan(file(box('ftyp', 24), new Uint8Array(5)))).toMatchObject({ ok: false });
    expect(await scan(file(box('ftyp', 24), box('free', 16, 4)))).toMatchObject({ ok: false });
  });
});

describe('parseFfprobeJson on text', () => {
  it('a .txt file read by ffprobe as "tty" ANSI art is not media', () => {
    const ansi = { index: 0, codec_name: 'ansi', codec_type: 'video', width: 640, height: 400, r_frame_rate: '25/1' };
    expect(parseFfprobeJson(json({ streams: [ansi], format: { format_name: 'tty', duration: '0.16' } }))).toMatchObject({
      ok: false,
      reason: { type: 'not-media' },
    });
  });
});
