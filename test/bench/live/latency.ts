// Live benchmark (run on demand: `npx tsx test/bench/live/latency.ts`), figures printed, nothing
// asserted. One instance in this process (embedded database), lives published by a real ffmpeg
// (testsrc 320x240 at 25 fps + tone, `-re`, 1 s GOP) over RTMP:
//
// 1. publish → first segment listed, per latency mode (default, high, small): seconds from the
//    publisher's start to the first segment listed in the media playlist; then, for every segment
//    listed, the delay between the moment its last frame was published (publisher start + media
//    time, so ffmpeg's own start-up is counted against us) and the moment the playlist listed it
//    (playlist polled every 25 ms), and the same for its first frame (the worst frame of a segment).
//    The same live is relayed by a second instance (it follows the origin, allows it, and its host
//    rule has `live: true`, as in test/integration/live/relay.test.ts): the same figures through
//    the relay's playlist (/static/redundancy/hls/<uuid>/), polled the same way.
// 2. serving a running live (default mode, 4 s segments): wrk -t2 -c32 on its media playlist and on
//    one of its listed segments, ours (static files before koa, the live's playlists and hot
//    segments from memory) against nginx (sendfile, one worker) serving the same folder, with the
//    ratio.
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
const LIVE = {
  enabled: true,
  max_user_lives: 10,
  rtmp: { enabled: true, hostname: '127.0.0.1', port: 0 },
  transcoding: { enabled: true, threads: 1, resolutions: { '144p': false, '240p': false, '360p': false, '480p': false, '720p': false, '1080p': false, '1440p': false, '2160p': false, '0p': false }, always_transcode_original_resolution: true },
};
const t = await startTestInstance({ db: 'embedded', overrides: { live: LIVE } });
const originHost = new URL(t.url).host;
const relay = await startTestInstance({
  db: 'embedded',
  overrides: {
    redundancy: { min_lifetime_floor: '1 second', videos: { strategies: [], hosts: [{ host: originHost, size: '1GB', min_lifetime: '3 hours', live: true }] } },
    live: { relay: { discover_interval: '300 ms', unreachable_timeout: '20 seconds', max_file_size: '16MB' } },
  },
});
const json = { 'content-type': 'application/json' };
await relay.api('/api/v1/server/following', { method: 'POST', headers: json, body: JSON.stringify({ hosts: [originHost] }) });
await relay.api(`/api/v1/server/redundancy/${originHost}`, { method: 'PUT', headers: json, body: JSON.stringify({ redundancyAllowed: true }) });
await waitFor('the relay following the origin', async () => ((await relay.json<{ data: { state: string }[] }>('/api/v1/server/following')).data[0]?.state === 'accepted' ? true : undefined), 30_000);
const channelId = (await t.json<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;

/** A live created and published by ffmpeg for `seconds`. */
async function publishLive(name: string, mode: number, seconds: number) {
  const created = await t.json<{ video: { id: number; uuid: string } }>('/api/v1/videos/live', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ channelId, name, latencyMode: mode, privacy: 1 }),
  });
  const live = await t.json<{ rtmpUrl: string; streamKey: string }>(`/api/v1/videos/live/${created.video.id}`);
  const started = performance.now();
  const publisher: ChildProcess = spawn(
    'ffmpeg',
    ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', `${live.rtmpUrl}/${live.streamKey}`],
    { stdio: 'ignore' },
  );
  const done = new Promise<void>((resolve) => publisher.on('close', () => resolve()));
  return { video: created.video, started, done, publisher };
}

interface Listing {
  firstListed: number;
  delays: number[];
  worst: number[];
  segmentSeconds: number;
  count: number;
}

/** Polls a media playlist every 25 ms until `done`: when each segment was first listed. */
async function follow(playlistUrl: string, started: number, done: Promise<void>): Promise<Listing & { last: string }> {
  let finished = false;
  void done.then(() => (finished = true));
  const listedAt = new Map<string, { at: number; endMedia: number; duration: number }>();
  let firstListed = NaN;
  let last = '';
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
          last = line;
          if (Number.isNaN(firstListed)) firstListed = (now - started) / 1000;
        }
      }
    } else await res?.arrayBuffer();
    await new Promise((r) => setTimeout(r, 25));
  }
  // media times count from the first listed segment: runs stay shorter than the list (15-20 segments), nothing slides out
  const delays = [...listedAt.values()].filter((s) => s.endMedia > 0).map((s) => (s.at - started) / 1000 - s.endMedia);
  const worst = [...listedAt.values()].map((s) => (s.at - started) / 1000 - (s.endMedia - s.duration));
  return { firstListed, delays, worst, segmentSeconds: median([...listedAt.values()].map((s) => s.duration)), count: listedAt.size, last };
}

const waitEnded = (uuid: string) =>
  waitFor('the live to end', async () => ((await t.json<{ state: { id: number } }>(`/api/v1/videos/${uuid}`)).state.id === 5 ? true : undefined), 60_000, 100);
const pair = (xs: number[]) => (xs.length === 0 ? 'n/a' : `${median(xs).toFixed(2)}, ${Math.max(...xs).toFixed(2)}`);

console.log(`live latency: ${SECONDS} s of 320x240@25 per mode, playlists polled every 25 ms, origin and through a relay`);
console.log(`${'mode'.padEnd(8)} ${'where'.padEnd(6)} ${'segment s'.padStart(9)} | ${'first listed s'.padStart(14)} | ${'last frame→listed s (median, max)'.padStart(34)} | ${'first frame→listed s (median, max)'.padStart(35)} | segments`);
const row = (mode: string, where: string, l: Listing) =>
  console.log(`${mode.padEnd(8)} ${where.padEnd(6)} ${l.segmentSeconds.toFixed(1).padStart(9)} | ${l.firstListed.toFixed(2).padStart(14)} | ${pair(l.delays).padStart(34)} | ${pair(l.worst).padStart(35)} | ${l.count}`);
for (const mode of MODES) {
  const { video, started, done } = await publishLive(`bench ${mode.label}`, mode.id, SECONDS);
  const [atOrigin, atRelay] = await Promise.all([
    follow(`${t.apiUrl}/static/streaming-playlists/hls/${video.uuid}/0.m3u8`, started, done),
    follow(`${relay.apiUrl}/static/redundancy/hls/${video.uuid}/0.m3u8`, started, done),
  ]);
  row(mode.label, 'origin', atOrigin);
  row(mode.label, 'relay', atRelay);
  await waitEnded(video.uuid);
}

// serving: a running live's playlist and one of its hot segments, ours against nginx on the same folder
await relay.stop(); // (its periodic work would share the process with what is measured)
const hlsRoot = t.instance.layout.hlsRoot;
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
  # off: with tcp_nopush, small answers stall on delayed ACKs over loopback (see serve/static.ts)
  tcp_nopush off;
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
      location ~ \\.m3u8$ {
        add_header Cache-Control "public, max-age=0, no-cache";
      }
    }
  }
}
`,
);
const nginx = spawn('/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
await waitFor('nginx', async () => ((await fetch(`http://127.0.0.1:${nginxPort}/`).catch(() => undefined)) ? true : undefined), 10_000, 50);

async function wrk(url: string): Promise<number> {
  const { stdout } = await run('wrk', ['-t2', '-c32', `-d${WRK_SECONDS}s`, url]);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
}
const served = await publishLive('bench serving', 1, WRK_SECONDS * 5 + 30);
const base = `/static/streaming-playlists/hls/${served.video.uuid}`;
const segment = await waitFor('two segments in memory', async () => {
  const hot = t.instance.live.runtime.hotSegments(served.video.id).sort();
  return hot.length >= 2 ? hot[0] : undefined;
}, 60_000, 100);
const size = (await readFile(join(hlsRoot, served.video.uuid, segment))).length;
const playlistSize = (await readFile(join(hlsRoot, served.video.uuid, '0.m3u8'))).length;
const results: string[] = [];
for (const [what, path] of [
  [`the media playlist (${playlistSize} B, changes every 4 s)`, `${base}/0.m3u8`],
  [`a hot segment (${(size / 1024).toFixed(0)} KiB)`, `${base}/${segment}`],
] as const) {
  await wrk(`${t.apiUrl}${path}`); // warm-up
  const ours = await wrk(`${t.apiUrl}${path}`);
  const theirs = await wrk(`http://127.0.0.1:${nginxPort}${path}`);
  results.push(`  ${what}: ours ${ours.toFixed(0)} req/s, nginx (sendfile) ${theirs.toFixed(0)} req/s, ours/nginx ${(ours / theirs).toFixed(2)}`);
}
const stillHot = t.instance.live.runtime.hotSegments(served.video.id).includes(segment);
console.log(`\nserving a running live (default latency), wrk -t2 -c32 ${WRK_SECONDS}s, ours from memory (${t.instance.live.memoryFiles.stats().hits} memory hits; segment still in memory at the end: ${stillHot}):`);
for (const line of results) console.log(line);
served.publisher.kill('SIGTERM');
await served.done;
nginx.kill('SIGTERM');
await rm(dir, { recursive: true, force: true });
await t.stop();
