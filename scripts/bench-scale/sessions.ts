// The session half of the scale benchmark, the same for every receiver: the fleet's hosts connect (a fixed number
// at a time), then the time until every session is Established (the fleet's own view) and until the receiver holds
// every prefix (polled every 500 ms), RSS per session, and CPU at steady state (keepalives only, and bgp2vpc's
// probes when configured).
import { setTimeout as sleep } from 'node:timers/promises';
import { rssOf } from '../bench-ingest/receivers.js';
import type { Fleet, FleetHostSpec } from '../../test/support/fleet.js';
import { cpuSeconds, HOST_ASN, type ScaleReceiver } from './receivers.js';
import type { Scenario } from './scenario.js';

export interface SessionFigures {
  readonly receiver: string;
  readonly hosts: number;
  /** From the first connect to the last session Established (fleet's view). */
  readonly establishS: number;
  /** Connections the hosts had to retry (the receiver reset them or did not answer in 30 s). */
  readonly retries: number;
  /** From the first connect until the receiver held every prefix (500 ms polling). */
  readonly prefixesS: number;
  readonly idleRssBytes: number;
  readonly loadedRssBytes: number;
  readonly steadyCpuPercent: number;
  readonly steadyWindowS: number;
}

export interface SessionOptions {
  readonly concurrency: number;
  readonly steadyS: number;
  readonly holdTime: number;
  /** TCP health port on every host (bgp2vpc's probes). */
  readonly healthPort?: number;
}

export function hostSpecs(s: Scenario, r: ScaleReceiver, o: SessionOptions): FleetHostSpec[] {
  return s.hosts.map((h) => ({
    name: h.name,
    localAddress: h.address,
    asn: HOST_ASN,
    holdTime: o.holdTime,
    announce: [h.pod, ...h.vips],
    ...(r.nextHopFor ? { nextHop: r.nextHopFor(h.address) } : {}),
    ...(o.healthPort !== undefined ? { healthPort: o.healthPort } : {}),
  }));
}

export async function waitUntil<T>(probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs: number, what: string): Promise<T> {
  const end = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${String(last)})` : ''}`);
    await sleep(intervalMs);
  }
}

/** Connects every host to a started receiver and measures; the sessions stay up afterwards. */
export async function measureSessions(r: ScaleReceiver, fleet: Fleet, s: Scenario, o: SessionOptions): Promise<SessionFigures> {
  await sleep(1000);
  const idleRssBytes = rssOf(r.pid);
  const t0 = performance.now();
  const hosts = s.hosts.length;
  const establishMs = await fleet.start({ host: r.address, port: r.port }, hostSpecs(s, r, o), o.concurrency);
  let seen = { established: 0, prefixes: 0 };
  const prefixesAt = await waitUntil(
    async () => {
      seen = await r.counts();
      return seen.established >= hosts && seen.prefixes >= s.prefixes ? performance.now() : undefined;
    },
    300_000,
    500,
    `${r.name} to hold ${s.prefixes} prefixes from ${hosts} sessions`,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}; last seen ${JSON.stringify(seen)}`);
  });
  await sleep(5000);
  const loadedRssBytes = rssOf(r.pid);
  const c0 = cpuSeconds(r.pid);
  const w0 = performance.now();
  await sleep(o.steadyS * 1000);
  const steadyWindowS = (performance.now() - w0) / 1000;
  const steadyCpuPercent = ((cpuSeconds(r.pid) - c0) / steadyWindowS) * 100;
  return {
    receiver: r.name,
    hosts,
    establishS: establishMs / 1000,
    retries: fleet.lastRetries,
    prefixesS: (prefixesAt - t0) / 1000,
    idleRssBytes,
    loadedRssBytes,
    steadyCpuPercent,
    steadyWindowS,
  };
}
