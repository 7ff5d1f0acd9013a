import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

/** Environment variable naming the storage root a child works for (the start-up orphan check reads it). */
export const FFMPEG_OWNER_ENV = 'MIRRORTUBE_FFMPEG_OWNER';

/**
 * A watchdog shell between us and the tool. The tool runs in the background (stdin /dev/null); the
 * shell blocks reading its own stdin, a pipe from this process. When this process dies, even by
 * SIGKILL, the kernel closes our end, the read returns, and the tool is killed. (PR_SET_PDEATHSIG
 * through `setpriv --pdeathsig` does not survive the exec as root, and ffmpeg ignores EOF on its
 * stdin and EPIPE on its outputs, so neither stops it.) The shell exits with the tool's status.
 */
const WATCHDOG = 'exec 3<&0; "$0" "$@" </dev/null & c=$!; { read -r _ <&3; kill -KILL "$c"; } 2>/dev/null & w=$!; wait "$c"; s=$?; kill "$w" 2>/dev/null; exit "$s"';

/** Status the shell returns when it cannot run the command (not found / not executable). */
const SHELL_CANNOT_RUN = new Set([126, 127]);

export const watchdogAvailable = process.platform !== 'win32';

/**
 * Spawns `command` in a process group of its own (so one kill ends the shell and the tool, and a
 * terminal's Ctrl-C reaches only us), watched for our death as described above.
 */
export function spawnWatched(command: string, args: readonly string[], options: { cwd?: string; captureStdout: boolean; owner?: string }): ChildProcess {
  const env = options.owner ? { ...process.env, [FFMPEG_OWNER_ENV]: options.owner } : process.env;
  const stdout = options.captureStdout ? 'pipe' : 'ignore';
  if (!watchdogAvailable) return spawn(command, args, { cwd: options.cwd, env, stdio: ['ignore', stdout, 'pipe'] });
  return spawn('/bin/sh', ['-c', WATCHDOG, command, ...args], { cwd: options.cwd, env, detached: true, stdio: ['pipe', stdout, 'pipe'] });
}

/** SIGKILLs the child's whole process group (the watchdog and the tool). */
export function killWatched(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(watchdogAvailable ? -child.pid : child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/**
 * The tool's own outcome from the watchdog's: status 128+n is "killed by signal n"; 126/127 mean
 * the command could not be run at all.
 */
export function toolExit(code: number | null, signal: NodeJS.Signals | null): { code: number | null; signal: string | null; notRun: boolean } {
  if (!watchdogAvailable || code === null) return { code, signal, notRun: false };
  if (SHELL_CANNOT_RUN.has(code)) return { code, signal, notRun: true };
  if (code > 128) {
    const name = Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] ?? null;
    return { code: null, signal: name, notRun: false };
  }
  return { code, signal, notRun: false };
}
