// One ingest measurement: enable the sender's session to one receiver, enable the static protocol holding N
// routes, poll the receiver's per-peer accepted counter until it equals N, then disable and time the
// withdrawal. Polls run back to back with `pollMs` between them; the time of a sample is the midpoint of the
// counter read (a CLI call for the daemons, an IPC round trip for bgp2vpc), the same rule for every receiver.
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../test/interop/support/wait.js';
import type { Receiver } from './receivers.js';
import type { BirdSender } from './sender.js';

export interface Sample {
  readonly receiver: string;
  readonly n: number;
  /** Seconds from `birdc enable` to the counter reading N. */
  readonly ingestS: number;
  /** Seconds from `birdc disable` to the counter reading 0. */
  readonly withdrawS: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
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

export async function measure(sender: BirdSender, r: Receiver, n: number, pollMs: number): Promise<Sample> {
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
  await sender.enable('bench');
  const t1 = await pollUntil(r, (c) => c >= n, pollMs, deadlineMs, `${n} accepted`);
  const rssAfterBytes = r.rssBytes();

  const t2 = now();
  await sender.disable('bench');
  const t3 = await pollUntil(r, (c) => c === 0, pollMs, deadlineMs, 'all withdrawn');

  await sender.disable(proto);
  return { receiver: r.name, n, ingestS: (t1 - t0) / 1000, withdrawS: (t3 - t2) / 1000, rssBeforeBytes, rssAfterBytes };
}
