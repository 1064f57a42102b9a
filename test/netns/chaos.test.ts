// Chaos on the netns testbed: four real hosts (BIRD ×3, FRR; host 4 on the userspace wire) announce their pod /24
// and shared VIPs to `bgp2vpc run`; a seeded sequence of faults (CHAOS_SEED, default 1), one at a time, each healed
// before the next: a host's BGP daemon killed with -9 (graceful restart), a host's link down, 20 % packet loss, EC2
// frozen, EC2 throttling, and bgp2vpc itself killed with -9 and restarted. The invariants of
// test/support/chaos/invariants.ts are checked every 250 ms throughout (bgp2vpc alive, foreign routes untouched,
// nothing routed to a dead host past its detection time or to a host that does not announce the prefix). After
// each fault the world must be quiet again within CONVERGE_BOUND_MS: every session up, nothing pending for EC2, the
// table's own routes exactly bgp2vpc's desired routes, every announced prefix forwarded exactly as in the quiet
// world before the first fault (a VIP to one of its announcers: which one, and so the aggregates, may change), the
// foreign routes as found; EC2 writes within writeBound. About 40 s of test time.
// `npm run soak` runs the same episodes at random, for longer, over all the fault kinds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/sim/ec2/faults.js';
import { ChaosWorld } from '../support/chaos/world.js';
import { Invariants } from '../support/chaos/invariants.js';
import { runEpisode, type EpisodeResult } from '../support/chaos/episode.js';
import type { FaultKind } from '../support/chaos/faults.js';
import { netnsGate, netnsUsableTest } from '../support/netns/gate.js';

const gate = netnsGate(['bird', 'birdc', '/usr/lib/frr/bgpd', 'vtysh', 'nft', 'tun']);
netnsUsableTest(gate);

const SEED = Number(process.env.CHAOS_SEED ?? 1);
/** Each fault once, with how long it is held (ms); the seed orders them and picks the hosts. */
const FAULTS: readonly [FaultKind, number][] = [
  ['reboot', 3_000],
  ['link-down', 3_000],
  ['lossy', 4_000],
  ['ec2-frozen', 5_000],
  ['ec2-throttled', 4_000],
  ['bgp2vpc-kill', 2_000],
];

function sequence(seed: number): [FaultKind, number, number][] {
  const rand = seededRandom(seed);
  const xs = [...FAULTS];
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs.map(([kind, hold]) => [kind, 1 + Math.floor(rand() * 4), hold]);
}

const VIPS: Readonly<Record<string, readonly number[]>> = {
  '100.72.200.1/32': [1, 2, 3],
  '100.72.200.2/32': [2, 3, 4],
  '100.72.200.3/32': [1, 4],
};

/** Where each announced prefix's traffic goes (longest match in the table): its one host, or for a VIP "one of its
 * announcers" when it goes to one of them (which one is bgp2vpc's choice, and a failover or a restart may rightly
 * change it, and with it the aggregates the table holds). Anything else as it is. */
const forwarding = (w: ChaosWorld): string[] => {
  const rows = w.table();
  return [...w.announcements()]
    .map(([p, hs]) => {
      const r = w.routeFor(p, rows);
      const h = r ? w.hostOfEni(r.target) : undefined;
      return h !== undefined && hs.includes(h) ? `${p} → h${hs.join('|h')} (${r?.state ?? ''})` : `${p} → ${r?.target ?? 'none'}`;
    })
    .sort();
};

describe.runIf(gate.run)(`chaos: a seeded sequence of faults on real links (seed ${SEED})`, () => {
  let world: ChaosWorld;
  let inv: Invariants;
  let baseline: string[] = [];
  const results: EpisodeResult[] = [];

  beforeAll(async () => {
    world = await ChaosWorld.up({
      hosts: [{ kind: 'bird' }, { kind: 'bird' }, { kind: 'frr' }, { kind: 'bird', wire: true }],
      vips: VIPS,
    });
    baseline = forwarding(world);
    inv = new Invariants(world);
    inv.start();
  }, 120_000);

  afterAll(async () => {
    await inv?.stop();
    if (results.length > 0) console.log(results.map((r) => JSON.stringify(r)).join('\n'));
    await world?.down();
  });

  it('the quiet world routes every announced prefix, beside the foreign routes', () => {
    expect(baseline.length).toBeGreaterThan(0);
    expect(world.misrouted(world.table(), new Set())).toEqual([]);
    // The VPC's local route, the IGW default route, a NAT and a peering route inside the cluster range.
    expect([...world.foreign.keys()].sort()).toEqual(['0.0.0.0/0', '100.72.250.0/24', '100.72.251.0/24', '198.18.0.0/24']);
  });

  for (const [kind, host, hold] of sequence(SEED)) {
    it(`${kind}${kind === 'bgp2vpc-kill' ? '' : ` (host ${host})`}: converges to the same forwarding, foreign routes untouched`, async () => {
      const seen = inv.violations.length;
      const r = await runEpisode(world, inv, kind, host, hold);
      results.push(r);
      expect(r.problems).toEqual([]);
      expect(inv.violations.slice(seen)).toEqual([]);
      expect(r.convergeMs).toBeDefined();
      expect(forwarding(world)).toEqual(baseline);
      expect(world.foreignChanged(world.table())).toEqual([]);
    }, 150_000);
  }

  it('bgp2vpc never died unasked, printed only log lines, and stayed small', async () => {
    await inv.stop();
    expect(world.daemon.running).toBe(true);
    expect(world.daemon.stray).toEqual([]);
    expect(inv.violations).toEqual([]);
    expect(Math.max(...inv.rss.map((s) => s.bytes))).toBeLessThan(400 * 1024 * 1024);
    expect(inv.checks).toBeGreaterThan(100);
  });
});
