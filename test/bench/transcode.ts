// Benchmark of the HLS pipeline against bare ffmpeg, measured in the same run.
//   npx tsx test/bench/transcode.ts
// Ours: probe + ladder + one ffmpeg for the 720/480/240 ladder + reading back the outputs
// (playlists, init sections) + segment hashes + master playlist. Bare: the very argv our builder produces, run with child_process and nothing
// else. Also shown: the same ladder as one ffmpeg process per rendition, run one after the other.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildHlsArgs,
  createFfmpeg,
  defaultTranscodeOptions,
  planLadder,
  probeMedia,
  resolutionKeys,
  transcodeHls,
  type Ffmpeg,
  type ResolutionKey,
} from '../../src/transcoding/index.js';

function runProcess(command: string, args: readonly string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mirrortube-bench-'));
  const ffmpeg = createFfmpeg();
  try {
    const input = join(dir, 'input-720p.mp4');
    console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, load average ${load()}`);
    console.log('generating a 10 s 1280x720 25 fps clip with audio…');
    await runProcess('ffmpeg', [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=10',
      '-f', 'lavfi', '-i', 'sine=frequency=440:duration=10',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-shortest', input,
    ]);

    const enabled: ResolutionKey[] = ['720p', '480p', '240p'];
    const config = {
      resolutions: Object.fromEntries(resolutionKeys.map((k) => [k, enabled.includes(k)])) as Record<ResolutionKey, boolean>,
      hls: true,
      webVideos: false,
    };
    const options = defaultTranscodeOptions;

    const firstProbe = await probeMedia(ffmpeg, input);
    if (!firstProbe.ok) throw new Error(firstProbe.reason.message);
    const ladder = planLadder(firstProbe.probe, config);
    const uuid = 'bench';
    const bareArgs = buildHlsArgs({ input, uuid, ladder, probe: firstProbe.probe, options });
    console.log(`ladder: ${ladder.map((r) => `${r.resolution}p ${r.width}x${r.height}@${r.fps}`).join(', ')}`);
    console.log(`argv (${bareArgs.length} items): ffmpeg ${bareArgs.join(' ')}\n`);

    // The port lets the bench time the ffmpeg run inside our pipeline: what is left is our overhead
    // (probe, read-back, hashes, master), which the machine's other load hardly blurs.
    let ffmpegSecondsInOurs = 0;
    const timedPort: Ffmpeg = {
      ...ffmpeg,
      runFfmpeg: async (args, runOptions) => {
        const start = performance.now();
        const result = await ffmpeg.runFfmpeg(args, runOptions);
        ffmpegSecondsInOurs += (performance.now() - start) / 1000;
        return result;
      },
    };

    const ours: number[] = [];
    const overhead: number[] = [];
    const bare: number[] = [];
    const rounds = 6;
    for (let round = 1; round <= rounds; round++) {
      // Alternate which one goes first so that neither always gets the warm cache.
      const oursFirst = round % 2 === 1;
      const runOurs = async () => {
        const oursDir = join(dir, `ours-${round}`);
        ffmpegSecondsInOurs = 0;
        const wall = await timed(async () => {
          const probed = await probeMedia(timedPort, input);
          if (!probed.ok) throw new Error(probed.reason.message);
          const plan = planLadder(probed.probe, config);
          const result = await transcodeHls({ ffmpeg: timedPort, input, outDir: oursDir, uuid, ladder: plan, probe: probed.probe, options });
          if (!result.ok) throw new Error(JSON.stringify(result.reason));
        });
        ours.push(wall);
        overhead.push(wall - ffmpegSecondsInOurs);
      };
      const runBare = async () => {
        const bareDir = join(dir, `bare-${round}`);
        await mkdir(bareDir, { recursive: true });
        bare.push(await timed(() => runProcess('ffmpeg', bareArgs, bareDir)));
      };
      if (oursFirst) {
        await runOurs();
        await runBare();
      } else {
        await runBare();
        await runOurs();
      }
      console.log(
        `round ${round}: ours ${ours.at(-1)!.toFixed(2)} s (of which outside ffmpeg ${overhead.at(-1)!.toFixed(3)} s), ` +
          `bare ffmpeg ${bare.at(-1)!.toFixed(2)} s`,
      );
    }

    const perRenditionDir = join(dir, 'per-rendition');
    await mkdir(perRenditionDir, { recursive: true });
    const perRendition = await timed(async () => {
      for (const rendition of ladder) {
        await runProcess('ffmpeg', buildHlsArgs({ input, uuid, ladder: [rendition], probe: firstProbe.probe, options }), perRenditionDir);
      }
    });

    const oursMedian = median(ours);
    const bareMedian = median(bare);
    const oursMin = Math.min(...ours);
    const bareMin = Math.min(...bare);
    console.log('');
    console.log(`wall time over ${rounds} rounds           median    best`);
    console.log(`ours (probe + ffmpeg + read-back + sha256 + master)   ${oursMedian.toFixed(2)} s  ${oursMin.toFixed(2)} s`);
    console.log(`bare ffmpeg, same argv                                ${bareMedian.toFixed(2)} s  ${bareMin.toFixed(2)} s`);
    console.log(
      `ratio ours/bare                                       ${(oursMedian / bareMedian).toFixed(3)}    ` +
        `${(oursMin / bareMin).toFixed(3)}   (goal ≤ 1.05)`,
    );
    const overheadMedian = median(overhead);
    console.log(
      `ours outside ffmpeg                                   ${overheadMedian.toFixed(3)} s  ${Math.min(...overhead).toFixed(3)} s` +
        `   → (bare + overhead) / bare = ${((bareMedian + overheadMedian) / bareMedian).toFixed(3)} (medians)`,
    );
    console.log(
      `one ffmpeg per rendition, sequential (bare, 1 run)    ${perRendition.toFixed(2)} s  ` +
        `(${(perRendition / bareMin).toFixed(2)}x the best single-process run)`,
    );
    console.log(`load average at the end: ${load()} (other work on the machine makes rounds vary)`);
  } finally {
    await ffmpeg.killAll();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
