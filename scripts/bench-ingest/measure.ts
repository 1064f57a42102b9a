// One ingest measurement: enable the sender's session to one receiver, enable the static protocol holding N
// routes, poll the receiver's per-peer accepted counter until it equals N, then disable and time the
// withdrawal. Polls run back to back with `pollMs` between them; the time of a sample is the midpoint of the
// counter read (a CLI call for the daemons, an IPC round trip for bgp2vpc), the same rule for every receiver.
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../test/interop/support/wait.js';
import type { Receiver } from './receivers.js';
import type { BirdSender } from './sender.js';

/** What a whole-daemon receiver can also tell: its event-loop delay and how fast /healthz answers meanwhile. */
export interface Observed {
  /** Event-loop delay since the previous call (a read resets it). */
  loopLag(): Promise<{ readonly p99Ms: number; readonly maxMs: number }>;
  readonly healthzUrl: string;
}

export interface Responsiveness {
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  /** Slowest /healthz answer while the prefixes arrived and for 3 s after (polled every 20 ms by the benchmark). */
  readonly healthzMaxMs: number;
  readonly healthzCount: number;
}

export interface Sample {
  readonly receiver: string;
  readonly n: number;
  /** Seconds from `birdc enable` to the counter reading N. */
  readonly ingestS: number;
  /** Seconds from `birdc disable` to the counter reading 0. */
  readonly withdrawS: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  /** Whole-daemon receivers: during ingest, and during withdrawal. */
  readonly ingestResponsiveness?: Responsiveness;
  readonly withdrawResponsiveness?: Responsiveness;
}

/** Polls /healthz every 20 ms until stopped; resolves to the slowest answer. */
function watchHealthz(url: string): { stop(): Promise<{ maxMs: number; count: number }> } {
  let on = true;
  let max = 0;
  let count = 0;
  const loop = (async () => {
    while (on) {
      const a = now();
      await fetch(url).then((r) => r.arrayBuffer());
      max = Math.max(max, now() - a);
      count++;
      await sleep(20);
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return { maxMs: max, count };
    },
  };
}

/** After the last prefix is counted, VPC sync's debounced pass (aggregation, plan) still runs: watch it too. */
const SETTLE_MS = 3000;

async function observe<T>(o: Observed | undefined, work: () => Promise<T>): Promise<{ result: T; resp?: Responsiveness }> {
  if (!o) return { result: await work() };
  await o.loopLag(); // resets the daemon's histogram
  const h = watchHealthz(o.healthzUrl);
  const result = await work();
  await sleep(SETTLE_MS);
  const hz = await h.stop();
  const lag = await o.loopLag();
  return { result, resp: { lagP99Ms: lag.p99Ms, lagMaxMs: lag.maxMs, healthzMaxMs: hz.maxMs, healthzCount: hz.count } };
}

const now = (): number => performance.now();

async function pollUntil(r: Receiver, done: (count: number) => boolean, pollMs: number, deadlineMs: number, what: string): Promise<number> {
  const deadline = now() + deadlineMs;
  let last = -1;
  for (;;) {
    const a = now();
    const count = await r.accepted();
    const b = now();
    last = count;
    if (done(count)) return (a + b) / 2;
    if (b > deadline) throw new Error(`${r.name}: ${what} not reached in ${deadlineMs} ms (counter at ${last})`);
    await sleep(pollMs);
  }
}

export async function measure(sender: BirdSender, r: Receiver, n: number, pollMs: number, observed?: Observed): Promise<Sample> {
  const proto = `to_${r.target.name}`;
  await sender.enable(proto);
  await waitFor(() => sender.established(r.target.name), { timeoutMs: 60_000, intervalMs: 100, what: `${proto} Established` });
  await waitFor(async () => (await r.accepted()) === 0, { timeoutMs: 30_000, what: `${r.name} to hold no routes` });
  // Let both ends finish their session start-up work (End-of-RIB, timers) before the clock starts.
  await sleep(500);
  const rssBeforeBytes = r.rssBytes();
  // Generous deadline: 5k prefixes/s at worst, plus start-up.
  const deadlineMs = 60_000 + n / 5;

  const t0 = now();
  const ingest = await observe(observed, async () => {
    await sender.enable('bench');
    return pollUntil(r, (c) => c >= n, pollMs, deadlineMs, `${n} accepted`);
  });
  const t1 = ingest.result;
  const rssAfterBytes = r.rssBytes();

  const t2 = now();
  const withdraw = await observe(observed, async () => {
    await sender.disable('bench');
    return pollUntil(r, (c) => c === 0, pollMs, deadlineMs, 'all withdrawn');
  });
  const t3 = withdraw.result;

  await sender.disable(proto);
  return {
    receiver: r.name,
    n,
    ingestS: (t1 - t0) / 1000,
    withdrawS: (t3 - t2) / 1000,
    rssBeforeBytes,
    rssAfterBytes,
    ...(ingest.resp ? { ingestResponsiveness: ingest.resp } : {}),
    ...(withdraw.resp ? { withdrawResponsiveness: withdraw.resp } : {}),
  };
}
