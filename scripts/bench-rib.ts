// Route spec benchmark (npm run bench:rib): 1M BGP paths from 1,000 peers.
//
// Layout: 100 groups of 10 peers; each group announces its own 1,000 prefixes from all 10 peers (10 candidates
// per prefix, 100k prefixes, 1M paths). Next hops are third-party hosts: 10 blocks of 10 groups share 10 hosts,
// so each host is the next hop of 10k prefixes and the lowest host of a block is the chosen one for all of them.
// Measures: insert of all paths, withdraw-all of one peer (session down without GR), a health flip of one next
// hop that moves 10k prefixes (target: change batch in < 10 ms), and the flip back (sticky: no changes).
import type { ChosenChange } from '../src/rib/chosen.js';
import { RouteSpec } from '../src/rib/route-spec.js';
import { ImportPolicy } from '../src/policy/import-policy.js';
import type { BgpPath, PathAttributes } from '../src/bgp/events.js';
import { formatIpv4 } from '../src/net/address.js';
import { type Prefix } from '../src/net/prefix.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { availableParallelism, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../src/config/index.js';
import { routeSpecOptions } from '../src/daemon/wiring.js';

const MINIMAL_CONFIG = readFileSync(new URL('../config/minimal.yaml', import.meta.url), 'utf8');

const GROUPS = 100;
const PEERS_PER_GROUP = 10;
const PREFIXES_PER_GROUP = 1000;
const BLOCK = 10; // groups per block of shared hosts

const peerAddr = (g: number, j: number): string => formatIpv4((10 << 24) | (1 << 16) | (g * PEERS_PER_GROUP + j + 1));
const hostAddr = (b: number, j: number): string => formatIpv4((10 << 24) | (2 << 16) | (b << 8) | (j + 1));

/** A full GC between phases (the bench's own garbage, not the route spec's work, would otherwise land in a flip). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const ms = (t: number): string => `${t.toFixed(2)} ms`;

function main(): void {
  const policy = new ImportPolicy({
    clusterCidrs: ['100.64.0.0/10'],
    vpcCidrs: ['10.0.0.0/8'],
    groups: [{ name: 'hosts', peers: ['10.1.0.0/16'], allowThirdPartyNextHop: true, ipv4Length: { min: 16, max: 32 } }],
  });
  // The ranking settings a user gets (failback hold-down, MED) from the configuration defaults.
  const rs = new RouteSpec({ policy, ...routeSpecOptions(parseConfig(MINIMAL_CONFIG)) });
  let batch: readonly ChosenChange[] = [];
  let events = 0;
  let batchAt = 0;
  rs.onChanges((b) => {
    batch = b;
    events += b.length;
    batchAt = performance.now();
  });

  const attrs: PathAttributes = {
    origin: 0,
    asPath: [65001],
    asPathLength: 1,
    communities: [],
    largeCommunities: [],
    extendedCommunities: [],
  };
  const prefixes: Prefix[][] = [];
  for (let g = 0; g < GROUPS; g++) {
    const list: Prefix[] = [];
    // 100.64.0.0/10 carved into /28s: group g, prefix i.
    for (let i = 0; i < PREFIXES_PER_GROUP; i++)
      list.push({ family: 'ipv4', addr: BigInt((100 << 24) | (64 << 16)) + BigInt((g * PREFIXES_PER_GROUP + i) * 16), len: 28 });
    prefixes.push(list);
  }

  // Insert: one 'paths' event per peer (1,000 paths each).
  const t0 = performance.now();
  for (let g = 0; g < GROUPS; g++) {
    for (let j = 0; j < PEERS_PER_GROUP; j++) {
      const peer = peerAddr(g, j);
      const nextHop = hostAddr(Math.floor(g / BLOCK), j);
      const ps: BgpPath[] = (prefixes[g] as Prefix[]).map((prefix) => ({
        peer,
        peerAsn: 65001,
        pathId: 0,
        prefix,
        nextHop,
        attrs,
        stale: false,
      }));
      rs.applySpeakerEvent({ type: 'paths', peer, paths: ps });
    }
  }
  const insertMs = performance.now() - t0;
  const insertEvents = events;
  const st = rs.stats();
  console.log(
    `insert: ${st.bgpPaths} paths from ${st.peers} peers, ${st.prefixes} prefixes: ${ms(insertMs)} (${((st.bgpPaths / insertMs) * 1000).toFixed(0)} paths/s), ${insertEvents} change events, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );

  // Withdraw-all of one peer: group 0 peer 0 carries the chosen next hop of its 1,000 prefixes.
  events = 0;
  const t1 = performance.now();
  rs.applySpeakerEvent({ type: 'peer-down', peer: peerAddr(0, 0), reason: 'hold-timer-expired', detail: 'bench' });
  const wdMs = performance.now() - t1;
  console.log(`withdraw-all of one peer (${PREFIXES_PER_GROUP} paths): ${ms(wdMs)}, ${events} change events`);

  // Health flips: the chosen host of blocks 1..9, each the next hop of 10k prefixes. Collect the insert's
  // garbage first when the runtime allows it (node --expose-gc), so the flips measure the route spec, not GC.
  collectGarbage();
  const down: number[] = [];
  const downCpu: number[] = [];
  const up: number[] = [];
  const sizes: number[] = [];
  // Each round flips the currently chosen host of blocks 1..9 down (10k prefixes fail over to the next host)
  // and back up (sticky: nothing moves). Wall time is what the daemon sees; CPU time is less disturbed by
  // other processes on a shared machine.
  const chosenHost = new Map<number, string>();
  for (let b = 1; b < GROUPS / BLOCK; b++) chosenHost.set(b, hostAddr(b, 0));
  for (let round = 0; round < 5; round++) {
    for (let b = 1; b < GROUPS / BLOCK; b++) {
      const nh = chosenHost.get(b) as string;
      batch = [];
      batchAt = NaN;
      const c0 = process.cpuUsage();
      const s = performance.now();
      rs.setNextHopHealth(nh, { healthy: false, reason: 'bench' });
      if (Number.isNaN(batchAt)) throw new Error('flip produced no change batch');
      down.push(batchAt - s);
      const c1 = process.cpuUsage(c0);
      downCpu.push((c1.user + c1.system) / 1000);
      sizes.push(batch.length);
      chosenHost.set(b, batch[0]?.to as string);
      batch = [];
      const s2 = performance.now();
      rs.setNextHopHealth(nh, { healthy: true, reason: 'bench' });
      up.push(performance.now() - s2);
      if (batch.length !== 0) throw new Error('flip back changed the choice (stickiness broken)');
    }
  }
  console.log(
    `health flip down (${median(sizes)} prefixes move) → change batch: wall median ${ms(median(down))} (min ${ms(Math.min(...down))}, max ${ms(Math.max(...down))}), CPU median ${ms(median(downCpu))}, ${down.length} flips`,
  );
  console.log(`health flip back up (sticky, 0 changes): wall median ${ms(median(up))}`);
  const sample = rs.chosen().length;
  console.log(`chosen(): ${sample} routes`);
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  console.log(
    `target: 10k-prefix flip → change batch in < 10 ms: CPU median ${ms(median(downCpu))} ${median(downCpu) < 10 ? 'MET' : 'MISSED'}, ` +
      `wall median ${ms(median(down))} ${median(down) < 10 ? 'MET' : 'MISSED'} (load average ${load} on ${availableParallelism()} CPUs: wall time includes waiting for a CPU)`,
  );
}

main();
