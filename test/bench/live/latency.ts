// Live benchmark (run on demand: `npx tsx test/bench/live/latency.ts`), figures printed, nothing
// asserted. One instance in this process (embedded database), lives published by a real ffmpeg
// (testsrc 320x240 at 25 fps + tone, `-re`, 1 s GOP) over RTMP:
//
// 1. publish → first segment listed, per latency mode (default, high, small): seconds from the
//    publisher's start to the first segment listed in the media playlist; then, for every segment
//    listed, the delay between the moment its last frame was published (publisher start + media
//    time, so ffmpeg's own start-up is counted against us) and the moment the playlist listed it
//    (playlist polled every 25 ms), and the same for its first frame (the worst frame of a segment).
// 2. serving a live segment: wrk -t2 -c32 on one segment, ours (static files before koa, hot blocks
//    in memory) against nginx (sendfile, one worker) serving the same folder, with the ratio.
// MT_BENCH_SECONDS (default 12) of publishing per mode, MT_BENCH_WRK_SECONDS (default 5).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { prepareTestTemplates } from '../../support/database.js';
import { startTestInstance } from '../../support/instance.js';
import { freePort, waitFor } from '../../support/ports.js';

const run = promisify(execFile);
const SECONDS = Number(process.env.MT_BENCH_SECONDS ?? 12);
const WRK_SECONDS = Number(process.env.MT_BENCH_WRK_SECONDS ?? 5);
const MODES = [
  { id: 1, label: 'default' },
  { id: 2, label: 'high' },
  { id: 3, label: 'small' },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

await prepareTestTemplates();
const t = await startTestInstance({
  db: 'embedded',
  overrides: {
    live: {
      enabled: true,
      max_user_lives: 10,
      rtmp: { enabled: true, hostname: '127.0.0.1', port: 0 },
      transcoding: { enabled: true, threads: 1, resolutions: { '144p': false, '240p': false, '360p': false, '480p': false, '720p': false, '1080p': false, '1440p': false, '2160p': false, '0p': false }, always_transcode_original_resolution: true },
    },
  },
});
const channelId = (await t.json<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
let lastSegmentUrl = '';
let hlsRoot = '';

console.log(`live latency: ${SECONDS} s of 320x240@25 per mode, playlist polled every 25 ms`);
console.log(`${'mode'.padEnd(8)} ${'segment s'.padStart(9)} | ${'first listed s'.padStart(14)} | ${'last frame→listed s (median, max)'.padStart(34)} | ${'first frame→listed s (median, max)'.padStart(35)} | segments`);
for (const mode of MODES) {
  const created = await t.json<{ video: { id: number; uuid: string } }>('/api/v1/videos/live', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channelId, name: `bench ${mode.label}`, latencyMode: mode.id }),
  });
  const live = await t.json<{ rtmpUrl: string; streamKey: string }>(`/api/v1/videos/live/${created.video.id}`);
  const playlistUrl = `${t.apiUrl}/static/streaming-playlists/hls/${created.video.uuid}/0.m3u8`;
  const started = performance.now();
  const publisher: ChildProcess = spawn(
    'ffmpeg',
    ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', String(SECONDS),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', `${live.rtmpUrl}/${live.streamKey}`],
    { stdio: 'ignore' },
  );
  const done = new Promise<void>((resolve) => publisher.on('close', () => resolve()));
  let finished = false;
  void done.then(() => (finished = true));
  const listedAt = new Map<string, { at: number; endMedia: number; duration: number }>();
  let firstListed = NaN;
  while (!finished) {
    const res = await fetch(playlistUrl).catch(() => null);
    const now = performance.now();
    if (res?.ok) {
      const lines = (await res.text()).split('\n');
      let media = 0;
      let duration = 0;
      for (const line of lines) {
        if (line.startsWith('#EXTINF:')) duration = Number(line.slice(8).split(',')[0]);
        else if (line.endsWith('.mp4') && !line.startsWith('#')) {
          media += duration;
          if (!listedAt.has(line)) listedAt.set(line, { at: now, endMedia: media, duration });
          lastSegmentUrl = playlistUrl.replace('0.m3u8', line);
          if (Number.isNaN(firstListed)) firstListed = (now - started) / 1000;
        }
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  // media times count from the first listed segment: runs stay shorter than the list (15-20 segments), nothing slides out
  const delays = [...listedAt.values()].filter((s) => s.endMedia > 0).map((s) => (s.at - started) / 1000 - s.endMedia);
  const worst = [...listedAt.values()].map((s) => (s.at - started) / 1000 - (s.endMedia - s.duration));
  const segmentSeconds = median([...listedAt.values()].map((s) => s.duration));
  console.log(
    `${mode.label.padEnd(8)} ${segmentSeconds.toFixed(1).padStart(9)} | ${firstListed.toFixed(2).padStart(14)} | ${`${median(delays).toFixed(2)}, ${Math.max(...delays).toFixed(2)}`.padStart(34)} | ${`${median(worst).toFixed(2)}, ${Math.max(...worst).toFixed(2)}`.padStart(35)} | ${listedAt.size}`,
  );
  await waitFor('the live to end', async () => ((await t.json<{ state: { id: number } }>(`/api/v1/videos/${created.video.uuid}`)).state.id === 5 ? true : undefined), 60_000, 100);
  hlsRoot = t.instance.layout.hlsRoot;
}

// serving: one live segment, ours against nginx on the same folder
const dir = await mkdtemp(join(tmpdir(), 'mt-live-bench-'));
const nginxPort = await freePort();
for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(dir, 'tmp', d), { recursive: true });
await writeFile(
  join(dir, 'nginx.conf'),
  `daemon off;
worker_processes 1;
user root;
pid ${dir}/nginx.pid;
error_log stderr crit;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  types { video/mp4 mp4; application/vnd.apple.mpegurl m3u8; }
  server {
    listen 127.0.0.1:${nginxPort};
    location /static/streaming-playlists/hls/ {
      alias ${hlsRoot}/;
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
  }
}
`,
);
const nginx = spawn('/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
await waitFor('nginx', async () => ((await fetch(`http://127.0.0.1:${nginxPort}/`).catch(() => undefined)) ? true : undefined), 10_000, 50);
const path = new URL(lastSegmentUrl).pathname;
const size = (await readFile(join(hlsRoot, path.replace('/static/streaming-playlists/hls/', '')))).length;
async function wrk(base: string): Promise<number> {
  const { stdout } = await run('wrk', ['-t2', '-c32', `-d${WRK_SECONDS}s`, `${base}${path}`]);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
}
await wrk(t.apiUrl); // warm-up (hot blocks enter our cache on their second request)
const ours = await wrk(t.apiUrl);
const theirs = await wrk(`http://127.0.0.1:${nginxPort}`);
console.log(`\nserving one live segment (${(size / 1024).toFixed(0)} KiB), wrk -t2 -c32 ${WRK_SECONDS}s:`);
console.log(`  ours ${ours.toFixed(0)} req/s, nginx (sendfile) ${theirs.toFixed(0)} req/s, ours/nginx ${(ours / theirs).toFixed(2)}`);
nginx.kill('SIGTERM');
await rm(dir, { recursive: true, force: true });
await t.stop();
