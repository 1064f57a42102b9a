// bench:ha — controller takeover with the default settings (ha.leaseTtl 3s, ha.writeTimeout 1500ms).
//
// Three `bgp2vpc run` replicas (etcd backend, a real etcd on loopback), two BIRD hosts peering with all three,
// the EC2 emulator in this process (test/interop/support/ha-cluster.ts). Each round takes the current leader
// away, alternately by kill -9 and by SIGSTOP, and at once makes a route change that needs a write. Measured:
//   takeover      old leader gone (the signal sent) → the first mutating EC2 call of the next leader, as the
//                 emulator receives it, on this process's monotonic clock
//   late writes   mutating calls by the old leader that the emulator received after its deadline: its last
//                 acknowledged renewal was sent before the signal, so its deadline is at most signal + TTL; checked
//                 per round (up to when it is a follower again) by its access key in the emulator's call log
//   dual writes   mutating calls by a replica outside its own leadership windows: a window opens when the
//                 replica logs ha_acquired and closes when any replica's next ha_acquired is logged (wall clock;
//                 the replicas and this process share the machine's clock)
// A SIGSTOPped leader is resumed after 2 × TTL (and after the new leader wrote); a killed one is restarted.
// Usage: npm run bench:ha [-- --rounds 20] [-- --backend kubernetes]
import { readFileSync } from 'node:fs';
import { HaCluster, TAKEOVER_BOUND_MS, TTL_MS, type HaBackendKind } from '../test/interop/support/ha-cluster.js';
import { waitFor } from '../test/interop/support/wait.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ROUNDS = Number(arg('rounds') ?? 20);
const BACKEND = (arg('backend') ?? 'etcd') as HaBackendKind;

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

interface Term {
  readonly identity: string;
  readonly wall: number;
  readonly token: string;
}

/** Every ha_acquired event in the replicas' logs. */
function terms(c: HaCluster): Term[] {
  const out: Term[] = [];
  for (const r of c.replicas) {
    for (const line of readFileSync(r.logFile, 'utf8').split('\n')) {
      if (!line.includes('"ha_acquired"')) continue;
      const j = JSON.parse(line) as { time: number; token: string };
      out.push({ identity: r.identity, wall: j.time, token: j.token });
    }
  }
  return out.sort((a, b) => a.wall - b.wall);
}

async function main(): Promise<void> {
  console.log(`bench:ha: ${ROUNDS} forced takeovers, backend ${BACKEND}, 3 replicas, 2 BIRD hosts, default HA settings`);
  const c = await HaCluster.start({ backend: BACKEND });
  const samples: { round: number; how: 'kill -9' | 'SIGSTOP'; ms: number; from: string; to: string }[] = [];
  let late = 0;
  try {
    await waitFor(() => c.routeTo('100.72.12.1') === c.eni(1), { timeoutMs: 90_000, what: 'the first routes' });
    for (let round = 1; round <= ROUNDS; round++) {
      const old = await c.leader(90_000);
      const how = round % 2 === 1 ? 'kill -9' : 'SIGSTOP';
      const since = c.emu.callLog.lastSeq;
      const t0 = performance.now();
      if (how === 'kill -9') await old.kill();
      else old.signal('SIGSTOP');
      const { host, address } = await c.announceNeedingWrite(`100.72.${100 + round}.0/24`);
      const w = await c.nextWrite(since, () => true, `round ${round}: the next leader's first write`, 60_000);
      const to = c.replicaByKey(w.accessKeyId)?.identity ?? '?';
      if (to === old.identity)
        throw new Error(`round ${round}: the old leader ${old.identity} wrote after it was ${how === 'kill -9' ? 'killed' : 'stopped'}`);
      samples.push({ round, how, ms: w.time - t0, from: old.identity, to });
      console.log(
        `round ${String(round).padStart(2)} ${how.padEnd(7)} ${old.identity} → ${to}: first write after ${Math.round(w.time - t0)} ms`,
      );
      await waitFor(() => c.routeTo(address) === c.eni(host), { timeoutMs: 30_000, what: `round ${round}: the change` });
      if (how === 'SIGSTOP') {
        await waitFor(() => performance.now() - t0 >= 2 * TTL_MS, { timeoutMs: 30_000, what: '2 × TTL' });
        old.signal('SIGCONT');
      } else {
        old.start();
      }
      await waitFor(async () => (await old.status())?.ha.role === 'follower', {
        timeoutMs: 60_000,
        what: `round ${round}: ${old.identity} to be a follower again`,
      });
      const afterDeadline = c.writes(since).filter((x) => x.accessKeyId === old.accessKey && x.time > t0 + TTL_MS);
      for (const x of afterDeadline)
        console.log(`LATE WRITE: ${x.action} by ${old.identity} ${Math.round(x.time - t0)} ms after the ${how}`);
      late += afterDeadline.length;
    }
    await c.leader(90_000);
  } finally {
    const ts = terms(c);
    const writes = c.writes();
    let dual = 0;
    for (const w of writes) {
      const wall = performance.timeOrigin + w.time;
      const owner = [...ts].reverse().find((t) => t.wall <= wall);
      const who = c.replicaByKey(w.accessKeyId)?.identity;
      if (owner?.identity !== who) {
        dual++;
        console.log(`DUAL WRITE: ${w.action} by ${who ?? '?'} at seq ${w.seq}, inside the term of ${owner?.identity ?? 'nobody'}`);
      }
    }
    await c.stop();
    const report = (label: string, xs: readonly number[]): string =>
      `${label.padEnd(8)} n=${String(xs.length).padStart(2)}  p50 ${Math.round(quantile(xs, 0.5))} ms  p99 ${Math.round(quantile(xs, 0.99))} ms  ` +
      `min ${Math.round(Math.min(...xs))} ms  max ${Math.round(Math.max(...xs))} ms`;
    console.log('');
    console.log(
      report(
        'all',
        samples.map((s) => s.ms),
      ),
    );
    console.log(
      report(
        'kill -9',
        samples.filter((s) => s.how === 'kill -9').map((s) => s.ms),
      ),
    );
    console.log(
      report(
        'SIGSTOP',
        samples.filter((s) => s.how === 'SIGSTOP').map((s) => s.ms),
      ),
    );
    console.log(
      `documented bound (${BACKEND}): ${TAKEOVER_BOUND_MS[BACKEND]} ms; over it: ${samples.filter((s) => s.ms > TAKEOVER_BOUND_MS[BACKEND]).length}`,
    );
    console.log(`terms: ${ts.length}; mutating EC2 calls: ${writes.length}; late writes by an old leader: ${late}; dual writes: ${dual}`);
    if (dual > 0 || late > 0) process.exitCode = 1;
  }
}

await main();
