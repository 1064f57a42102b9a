// The demo's script: hosts join; a host dies and its service VIP fails over; a host flaps and is damped; more
// prefixes than the route limit get aggregated; the dead host returns and nothing moves back needlessly.
// Every step waits on what it shows (with a deadline), so a failed expectation is reported, not papered over.
import { Bgp2vpcError } from '../base/errors.js';
import { parsePrefix, formatPrefix, makePrefix } from '../net/prefix.js';
import { DEMO_HOSTS, DEMO_ROUTE_QUOTA, DEMO_VIPS } from './demo-vpc.js';
import type { DemoWorld } from './demo-world.js';

export class ScenarioError extends Bgp2vpcError {
  constructor(message: string) {
    super('DEMO_EXPECTATION', message);
  }
}

export interface ScenarioContext {
  readonly world: DemoWorld;
  say(text: string): void;
  /** Waits ms / speed. */
  pause(ms: number): Promise<void>;
  /** Polls cond until true; resolves with the elapsed ms; rejects with ScenarioError after deadlineMs (not scaled). */
  until(cond: () => boolean, what: string, deadlineMs?: number): Promise<number>;
}

export interface ScenarioStep {
  readonly title: string;
  run(ctx: ScenarioContext): Promise<void>;
}

const vipAddr = (vip: string): string => vip.split('/')[0] ?? vip;
const podProbe = (cidr: string): string => cidr.replace(/0\/24$/, '7');

/** `count` consecutive /28 blocks starting at `base` (for the aggregation step). */
export function blocks(base: string, count: number): string[] {
  const p = parsePrefix(base);
  return Array.from({ length: count }, (_, i) => formatPrefix(makePrefix('ipv4', p.addr + BigInt(i * 16), 28)));
}

function announcedCount(world: DemoWorld): number {
  const set = new Set<string>();
  for (const h of world.hosts.values()) if (h.sim.state === 'established') for (const a of h.sim.announced) set.add(formatPrefix(a.prefix));
  return set.size;
}

function settled(world: DemoWorld): boolean {
  return world.daemon.parts.sync.status().every((t) => t.pendingOps === 0);
}

export const STEPS: readonly ScenarioStep[] = [
  {
    title: 'hosts join',
    async run(ctx) {
      const w = ctx.world;
      ctx.say(`Six hosts peer with bgp2vpc over BGP from their own loopback addresses; each announces its pod CIDR.`);
      ctx.say(`Three service VIPs are announced by two hosts each (api, dns, ingress).`);
      for (const def of DEMO_HOSTS) {
        const h = w.host(def.name);
        await h.health.open();
        h.sim.announce([def.podCidr]);
        const vips = DEMO_VIPS.filter((v) => v.hosts.includes(def.name)).map((v) => v.vip);
        if (vips.length) h.sim.announce(vips);
        await h.sim.start();
        await ctx.pause(400);
      }
      ctx.say(`bgp2vpc read the route table and now waits for initial convergence before its first write (routes.settleTime).`);
      await ctx.until(() => w.daemon.parts.daemon.phase === 'running', 'initial convergence', 20_000);
      const ok = (): boolean =>
        DEMO_HOSTS.every((h) => w.routeFor(podProbe(h.podCidr)) === h.name) &&
        DEMO_VIPS.every((v) => w.routeFor(vipAddr(v.vip)) === v.hosts[0]) &&
        settled(w);
      await ctx.until(ok, 'every pod CIDR and VIP routed to its host', 20_000);
      const ours = w.routes().filter((r) => r.ours).length;
      ctx.say(`${announcedCount(w)} announced prefixes → ${ours} routes (minimal table; the IGW and NAT routes are untouched).`);
      await ctx.pause(2500);
    },
  },
  {
    title: 'a host dies',
    async run(ctx) {
      const w = ctx.world;
      const a = w.host('node-a');
      ctx.say(`node-a crashes: its BGP session drops without a NOTIFICATION and its health port stops answering.`);
      const t0 = performance.now();
      a.sim.kill();
      await a.health.close();
      await ctx.until(() => w.routeFor('100.65.0.10') === 'node-b', 'the api VIP to fail over to node-b', 10_000);
      const ms = Math.round(performance.now() - t0);
      ctx.say(`api VIP 100.65.0.10 now goes to node-b: ${ms} ms from the crash, one ReplaceRoute (make-before-break).`);
      await ctx.until(() => settled(w), 'the table to settle', 10_000);
      await ctx.pause(2500);
    },
  },
  {
    title: 'a host flaps',
    async run(ctx) {
      const w = ctx.world;
      const c = w.host('node-c');
      ctx.say(`node-c's health check flaps: down, up, down, up, down, up. Each failure moves the ingress VIP away...`);
      const view = () => w.daemon.parts.health.view(c.def.ip);
      for (let i = 0; i < 3; i++) {
        await c.health.close();
        await ctx.until(() => view()?.state === 'down', 'node-c to be seen down', 10_000);
        if (i === 0) await ctx.until(() => w.routeFor('100.65.0.30') === 'node-f', 'the ingress VIP to move to node-f', 10_000);
        await c.health.open();
        await ctx.until(() => view()?.state === 'up', 'node-c to pass its probes again', 10_000);
        await ctx.pause(300);
      }
      const damped = (): boolean => w.daemon.parts.health.view(c.def.ip)?.suppressed === true;
      await ctx.until(damped, 'node-c to be damped', 10_000);
      ctx.say(`...and after three flaps node-c is damped: healthy again, but not used until its penalty decays.`);
      ctx.say(`The ingress VIP stays on node-f: no route churn from a flapping host.`);
      await ctx.pause(2000);
      if (w.routeFor('100.65.0.30') !== 'node-f') throw new ScenarioError('the ingress VIP went back to the damped node-c');
    },
  },
  {
    title: 'more prefixes than the limit',
    async run(ctx) {
      const w = ctx.world;
      const e = w.host('node-e');
      const f = w.host('node-f');
      ctx.say(
        `node-e announces 64 /28 service blocks and node-f 32 more: far more prefixes than the demo table's quota of ${DEMO_ROUTE_QUOTA} (kept small on purpose; EC2's default is 500).`,
      );
      e.sim.announce(blocks('100.64.200.0/28', 64));
      f.sim.announce(blocks('100.64.208.0/28', 32));
      await ctx.until(
        () => w.routeFor('100.64.203.250') === 'node-e' && w.routeFor('100.64.209.250') === 'node-f' && settled(w),
        'the new blocks to be routed',
        20_000,
      );
      const ours = w.routes().filter((r) => r.ours).length;
      ctx.say(`${announcedCount(w)} announced prefixes fit in ${ours} routes: aggregated into the minimal table, nothing misrouted.`);
      await ctx.pause(2500);
    },
  },
  {
    title: 'the dead host returns',
    async run(ctx) {
      const w = ctx.world;
      const a = w.host('node-a');
      ctx.say(`node-a comes back: its session re-establishes and it re-announces its routes.`);
      await a.health.open();
      await a.sim.start();
      await ctx.until(() => w.routeFor('100.64.1.7') === 'node-a' && settled(w), "node-a's pod CIDR to be routed again", 20_000);
      await ctx.pause(1500);
      if (w.routeFor('100.65.0.10') !== 'node-b') throw new ScenarioError('the api VIP moved back to node-a');
      ctx.say(`Its pod CIDR is routed to it again; the api VIP stays on node-b (sticky: no needless ReplaceRoute).`);
      await ctx.pause(1500);
    },
  },
];
