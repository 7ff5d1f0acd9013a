import { spawn } from 'node:child_process';

/** Lives on, RTMP on a free port of 127.0.0.1, the stream only remuxed to its own resolution. */
export const TEST_LIVE_CONFIG = {
  enabled: true,
  rtmp: { enabled: true, hostname: '127.0.0.1', port: 0 },
  transcoding: {
    enabled: true,
    threads: 1,
    resolutions: { '0p': false, '144p': false, '240p': false, '360p': false, '480p': false, '720p': false, '1080p': false, '1440p': false, '2160p': false },
    always_transcode_original_resolution: true,
  },
};

/** Runs an ffmpeg publisher of `seconds` of generated media (160x90 test pattern + tone) to an RTMP URL. */
export function publishTestStream(url: string, seconds: number): { done: Promise<number>; kill(): void } {
  const child = spawn(
    'ffmpeg',
    ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', url],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  return { done: new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1))), kill: () => child.kill('SIGKILL') };
}
