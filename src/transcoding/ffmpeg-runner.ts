import type { ChildProcess } from 'node:child_process';
import { createProgressReader } from './ffmpeg-progress.js';
import { killWatched, spawnWatched, toolExit } from './watched-spawn.js';

/**
 * The process port of this module: runs ffmpeg and ffprobe with an argv (never through a shell),
 * honours an AbortSignal, and keeps track of its children so that `killAll()` can end every one of
 * them when the instance stops. Non-zero exits, aborts and spawn errors are returned as values.
 */
export interface Ffmpeg {
  runFfmpeg(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Like runFfmpeg, but stdout is collected and returned (ffprobe prints its JSON there). */
  runFfprobe(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** SIGKILL every running child; resolves once they have all exited. */
  killAll(): Promise<void>;
  /** How many children are running now. */
  running(): number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Working directory of the child (relative output names in the argv resolve against it). */
  cwd?: string;
  /**
   * ffmpeg only: asks it for `-progress pipe:1` and calls this with the output time written so far,
   * in seconds (`ended` on its last report).
   */
  onProgress?(outTimeSeconds: number, ended: boolean): void;
}

export type RunResult = { ok: true; stdout: string; stderrTail: string } | { ok: false; reason: RunFailure };

export type RunFailure =
  | { type: 'exit'; message: string; exitCode: number | null; signal: string | null; stderrTail: string }
  | { type: 'aborted'; message: string }
  | { type: 'killed'; message: string }
  | { type: 'spawn-failed'; message: string };

/** The two pino methods the runner uses. */
export interface RunnerLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CreateFfmpegOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  logger?: RunnerLogger;
  /** Bytes of stderr kept for error messages (default 8 KiB). */
  stderrTailBytes?: number;
  /** Largest stdout accepted from ffprobe (default 16 MiB); beyond it the child is killed. */
  maxStdoutBytes?: number;
  /** The storage root the children work for, in their environment (the start-up orphan check finds them by it). */
  owner?: string;
}

export function createFfmpeg(options: CreateFfmpegOptions = {}): Ffmpeg {
  const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
  const ffprobePath = options.ffprobePath ?? 'ffprobe';
  const logger = options.logger;
  const tailBytes = options.stderrTailBytes ?? 8 * 1024;
  const maxStdoutBytes = options.maxStdoutBytes ?? 16 * 1024 * 1024;

  /** Running children, each with the promise that settles when it has exited. */
  const children = new Map<ChildProcess, Promise<unknown>>();
  /** Children killed by killAll(), to tell that apart from an abort or a crash. */
  const killedOnShutdown = new WeakSet<ChildProcess>();

  function run(command: string, args: readonly string[], captureStdout: boolean, runOptions: RunOptions): Promise<RunResult> {
    const { signal, cwd } = runOptions;
    // progress reports come on stdout (ffprobe's stdout is its answer: no progress there)
    const progress = runOptions.onProgress && !captureStdout ? createProgressReader(runOptions.onProgress) : null;
    const argv = progress ? ['-progress', 'pipe:1', ...args] : args;
    if (signal?.aborted) {
      return Promise.resolve({ ok: false, reason: { type: 'aborted', message: `${command} not started: aborted` } });
    }

    const startedAt = performance.now();
    let child: ChildProcess;
    try {
      // in a process group of its own, killed if this process dies (watched-spawn.ts)
      child = spawnWatched(command, argv, { cwd, captureStdout: captureStdout || progress !== null, owner: options.owner });
    } catch (err) {
      return Promise.resolve({ ok: false, reason: { type: 'spawn-failed', message: `cannot start ${command}: ${String(err)}` } });
    }

    const promise = new Promise<RunResult>((resolve) => {
      const stdoutChunks: Buffer[] = [];
      let stdoutBytes = 0;
      let stdoutOverflow = false;
      let stderrTail = Buffer.alloc(0);
      let aborted = false;
      let settled = false;
      const finish = (result: RunResult): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        children.delete(child);
        resolve(result);
      };

      const onAbort = (): void => {
        aborted = true;
        killWatched(child);
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      child.stdout?.on('data', (chunk: Buffer) => {
        if (progress) {
          try {
            progress(chunk);
          } catch {
            // a failing progress listener must not end the run
          }
          return;
        }
        stdoutBytes += chunk.length;
        if (stdoutBytes > maxStdoutBytes) {
          if (!stdoutOverflow) killWatched(child);
          stdoutOverflow = true;
          return;
        }
        stdoutChunks.push(chunk);
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderrTail = Buffer.concat([stderrTail, chunk]);
        if (stderrTail.length > tailBytes) stderrTail = stderrTail.subarray(stderrTail.length - tailBytes);
      });
      child.on('error', (err) => {
        // Only a failed spawn settles here; other errors (a failed kill) are followed by 'close'.
        if (child.pid === undefined) {
          finish({ ok: false, reason: { type: 'spawn-failed', message: `cannot start ${command}: ${err.message}` } });
        }
      });
      child.on('close', (rawCode, rawSignal) => {
        const tool = toolExit(rawCode, rawSignal);
        const exitCode = tool.code;
        const exitSignal = tool.signal;
        const tail = stderrTail.toString('utf8').trim();
        const elapsedMs = Math.round(performance.now() - startedAt);
        logger?.debug({ command, args, exitCode, signal: exitSignal, elapsedMs }, `${command} exited`);

        if (tool.notRun && !killedOnShutdown.has(child) && !aborted) {
          finish({ ok: false, reason: { type: 'spawn-failed', message: `cannot start ${command}: ${tail.split('\n').at(-1) ?? 'not found'}` } });
        } else if (killedOnShutdown.has(child)) {
          finish({ ok: false, reason: { type: 'killed', message: `${command} killed on shutdown` } });
        } else if (aborted) {
          finish({ ok: false, reason: { type: 'aborted', message: `${command} aborted` } });
        } else if (stdoutOverflow) {
          finish({
            ok: false,
            reason: {
              type: 'exit',
              message: `${command} printed more than ${maxStdoutBytes} bytes`,
              exitCode,
              signal: exitSignal,
              stderrTail: tail,
            },
          });
        } else if (exitCode !== 0) {
          const lastLine = tail.split('\n').at(-1) ?? '';
          const how = exitCode === null ? `was killed by ${exitSignal ?? 'a signal'}` : `exited with code ${exitCode}`;
          logger?.warn({ command, args, exitCode, signal: exitSignal, stderrTail: tail }, `${command} failed`);
          finish({
            ok: false,
            reason: {
              type: 'exit',
              message: lastLine ? `${command} ${how}: ${lastLine}` : `${command} ${how}`,
              exitCode,
              signal: exitSignal,
              stderrTail: tail,
            },
          });
        } else {
          finish({ ok: true, stdout: Buffer.concat(stdoutChunks).toString('utf8'), stderrTail: tail });
        }
      });
    });

    children.set(child, promise);
    return promise;
  }

  return {
    runFfmpeg: (args, runOptions = {}) => run(ffmpegPath, args, false, runOptions),
    runFfprobe: (args, runOptions = {}) => run(ffprobePath, args, true, runOptions),
    async killAll() {
      const pending = [...children.entries()];
      for (const [child] of pending) {
        killedOnShutdown.add(child);
        killWatched(child);
      }
      await Promise.all(pending.map(([, done]) => done));
    },
    running: () => children.size,
  };
}
