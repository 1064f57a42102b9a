// ICMP echo probes. Node has no ICMP socket API, and a native addon is a heavy dependency for one probe type,
// so bgp2vpc runs the system `ping` (iputils) once per probe: `ping -n -c 1 -W <s> <target>`.
// That costs a process per probe (a few ms of CPU): fine for tens of targets at a 1 s interval, wrong for
// 1,000 targets at 200 ms — use TCP probes there (DESIGN: "scales to 1,000 next hops" is a TCP/HTTP claim).
// ping needs either CAP_NET_RAW (raw socket; file capability on the binary or the process) or the process's
// group inside net.ipv4.ping_group_range (unprivileged ICMP datagram socket). checkIcmpCapability() finds out
// at startup and fails with a UserError naming both.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { UserError } from '../base/errors.js';
import type { ProbeResult } from './probe-result.js';

export class IcmpNotPermittedError extends UserError {
  constructor(message: string) {
    super('ICMP_NOT_PERMITTED', message);
  }
}

interface PingOutcome {
  readonly code: number | null;
  readonly output: string;
  readonly spawnError?: string;
}

function ping(target: string, timeoutS: number, signal: AbortSignal | undefined, pingPath: string): Promise<PingOutcome> {
  return new Promise((resolve) => {
    const family = target.includes(':') ? '-6' : '-4';
    const child = spawn(pingPath, [family, '-n', '-q', '-c', '1', '-W', String(timeoutS), target], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const onAbort = (): void => void child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ code: null, output, spawnError: (err as NodeJS.ErrnoException).code ?? err.message });
    });
    child.once('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ code, output });
    });
  });
}

/** One echo request; the monitor's AbortSignal kills ping at the probe timeout. */
export async function runPing(target: string, signal: AbortSignal, pingPath = 'ping'): Promise<ProbeResult> {
  const r = await ping(target, 1, signal, pingPath);
  if (signal.aborted) return { ok: false, detail: 'icmp: timeout' };
  if (r.spawnError) return { ok: false, detail: `icmp: cannot run ${pingPath}: ${r.spawnError}` };
  if (r.code === 0) return { ok: true, detail: 'icmp echo reply' };
  return { ok: false, detail: r.code === 1 ? 'icmp: no reply' : `icmp: ping exit ${r.code}: ${r.output.trim().split('\n')[0] ?? ''}` };
}

/**
 * Verifies at startup that ICMP probes can work: ping exists and may open its socket. Throws
 * IcmpNotPermittedError with the fix (CAP_NET_RAW or net.ipv4.ping_group_range) otherwise.
 */
export async function checkIcmpCapability(pingPath = 'ping'): Promise<void> {
  const r = await ping('127.0.0.1', 1, undefined, pingPath);
  if (r.spawnError) {
    throw new IcmpNotPermittedError(
      `ICMP health probes need the ping binary (${pingPath}: ${r.spawnError}); install iputils-ping, or use tcp/http probes`,
    );
  }
  if (r.code === 0) return;
  if (/not permitted|permission denied|socket:|cap_net_raw/i.test(r.output)) {
    const range = await readFile('/proc/sys/net/ipv4/ping_group_range', 'utf8').then(
      (t) => t.trim().replace(/\s+/, '..'),
      () => 'unknown',
    );
    throw new IcmpNotPermittedError(
      `ICMP health probes are not permitted: grant CAP_NET_RAW (e.g. systemd AmbientCapabilities=CAP_NET_RAW, Kubernetes securityContext.capabilities.add [NET_RAW]) or add the process's group to net.ipv4.ping_group_range (now ${range}); or use tcp/http probes (${r.output.trim().split('\n')[0] ?? ''})`,
    );
  }
  throw new IcmpNotPermittedError(
    `ICMP health probes do not work: ping 127.0.0.1 exited ${r.code}: ${r.output.trim().split('\n')[0] ?? ''}`,
  );
}
