// Long-running helper processes (BGP daemons for tests and benchmarks) started and stopped by PID only.
// A PID is signalled only while /proc/PID/cmdline still names our own directory, so a recycled PID is safe.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when `pid` runs and its command line contains `marker` (our config directory). */
export function isOwnPid(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(marker);
  } catch {
    return false;
  }
}

/** Synchronous SIGKILL of a PID we started (for exit hooks). */
export function killOwnPid(pid: number, marker: string): void {
  if (!isOwnPid(pid, marker)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export interface Daemon {
  readonly pid: number;
  readonly name: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  alive(): boolean;
}

const daemons = new Set<Daemon>();

/**
 * Starts `cmd args` in the background, stdout and stderr appended to `logFile`, stdin closed. `marker` must
 * appear in its command line (a config path in our own directory), so stop() never hits another process.
 */
export function startDaemon(
  name: string,
  cmd: string,
  args: readonly string[],
  logFile: string,
  marker: string,
  env?: NodeJS.ProcessEnv,
): Daemon {
  if (!args.some((a) => a.includes(marker))) throw new Error(`${name}: marker ${marker} not in its command line`);
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, [...args], { stdio: ['ignore', fd, fd], detached: false, ...(env ? { env } : {}) });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  child.on('error', () => {
    exited = true;
  });
  const d: Daemon = {
    pid,
    name,
    alive: () => !exited,
    async stop(graceMs = 10_000) {
      daemons.delete(d);
      if (exited) return;
      if (isOwnPid(pid, marker)) child.kill('SIGTERM');
      const deadline = Date.now() + graceMs;
      while (!exited && Date.now() < deadline) await sleep(20);
      if (!exited && isOwnPid(pid, marker)) child.kill('SIGKILL');
      while (!exited) await sleep(20);
    },
  };
  daemons.add(d);
  return d;
}

/** Stops every daemon started through startDaemon (afterAll / finally). */
export async function stopAllDaemons(): Promise<void> {
  await Promise.all([...daemons].map((d) => d.stop(5_000)));
}

process.once('exit', () => {
  for (const d of daemons) {
    try {
      if (d.alive()) process.kill(d.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});
