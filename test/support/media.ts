import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cacheDir = join(tmpdir(), 'mirrortube-test-media');

/** A short generated clip (test pattern + tone), made once per machine and reused. */
export async function generatedClip(options: { seconds?: number; width?: number; height?: number; audioOnly?: boolean } = {}): Promise<string> {
  const { seconds = 3, width = 320, height = 240, audioOnly = false } = options;
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, audioOnly ? `audio-${seconds}s.m4a` : `clip-${width}x${height}-${seconds}s.mp4`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp${audioOnly ? '.m4a' : '.mp4'}`;
  const video = audioOnly ? [] : ['-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=25`];
  const codecs = audioOnly ? ['-c:a', 'aac'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'];
  await run('ffmpeg', ['-v', 'error', '-y', ...video, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', String(seconds), ...codecs, '-shortest', tmp]);
  const { rename } = await import('node:fs/promises');
  await rename(tmp, file);
  return file;
}

export async function ffprobeJson(target: string): Promise<{ streams: { codec_type: string; width?: number; height?: number }[]; format: { duration?: string } }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', target]);
  return JSON.parse(stdout) as never;
}

/** Decodes a whole input (a playlist URL or file): throws if ffmpeg reports any error. */
export async function decodeFully(target: string): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-xerror', '-i', target, '-f', 'null', '-']);
}
