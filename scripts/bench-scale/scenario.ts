// The scale scenario (issue 14): H simulated hosts in three AZs, each announcing its pod /24 and two /32 VIPs.
// Pure: addresses, prefixes and who announces what, so every receiver gets exactly the same sessions.
//
// - Host h lives in AZ floor(3h/H); its address is in its AZ's /21 of 127.20.0.0/16 (127.20.0.16 + i, 127.20.8.16 + i,
//   127.20.16.16 + i): the lowest addresses are in AZ a, so the lowest-IP tie-break prefers a, then b, then c.
// - Pods: 10.64.0.0/10, one /24 per host, single-homed. The VPC route table manages the VIP range only
//   (100.100.0.0/16): 5,000 per-host routes can never fit a route table (at most 1,000 routes), so the pods are
//   held by the route spec (BGP and memory load) but not written.
// - Multi-AZ VIPs: VIP v is announced by hosts of AZs v mod 3 and v+1 mod 3. With every attribute equal the
//   lowest address wins, so VIPs of the pairs {a,b} and {c,a} sit in AZ a and those of {b,c} in AZ b: when AZ b
//   goes silent, exactly the {b,c} VIPs must move (to AZ c).
// - Single-AZ VIPs: announced only by hosts of AZ b (two each): when b goes silent they have no healthy
//   alternative and, with onNoHealthy: keep, must cost no write.

export const HOST_NET = '127.20.0.0/16';
export const POD_NET = '10.64.0.0/10';
export const VIP_NET = '100.100.0.0/16';
export const FAILING_AZ = 1;
export const AZ_NAMES = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;

export interface ScenarioOptions {
  readonly hosts: number;
  readonly multiVips: number;
  readonly singleVips: number;
}

export interface HostPlan {
  readonly name: string;
  readonly index: number;
  readonly az: number;
  readonly address: string;
  readonly pod: string;
  readonly vips: readonly string[];
}

export interface VipPlan {
  readonly prefix: string;
  /** Host indexes announcing it. */
  readonly hosts: readonly number[];
  /** AZs of its announcers. */
  readonly azs: readonly number[];
}

export interface Scenario {
  readonly options: ScenarioOptions;
  readonly hosts: readonly HostPlan[];
  readonly vips: readonly VipPlan[];
  /** Total prefixes announced (distinct): pods + VIPs. */
  readonly prefixes: number;
}

const ipv4 = (n: number): string => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const BASE_127_20 = (127 << 24) | (20 << 16);

export function vipPrefix(v: number): string {
  return `${ipv4(((100 << 24) | (100 << 16)) + v)}/32`;
}

export function buildScenario(o: ScenarioOptions): Scenario {
  const perAz = Math.ceil(o.hosts / 3);
  if (perAz + 16 > 2048) throw new Error('at most 6,096 hosts (a /21 per AZ)');
  const hosts: { name: string; index: number; az: number; address: string; pod: string; vips: string[] }[] = [];
  for (let h = 0; h < o.hosts; h++) {
    const az = Math.floor((3 * h) / o.hosts);
    const i = h - Math.ceil((az * o.hosts) / 3);
    hosts.push({
      name: `h${h}`,
      index: h,
      az,
      address: ipv4(BASE_127_20 + az * 8 * 256 + 16 + i),
      pod: `${ipv4(((10 << 24) | (64 << 16)) + h * 256)}/24`,
      vips: [],
    });
  }
  const vips: { prefix: string; hosts: number[]; azs: Set<number> }[] = [];
  for (let v = 0; v < o.multiVips + o.singleVips; v++) vips.push({ prefix: vipPrefix(v), hosts: [], azs: new Set() });
  const give = (h: (typeof hosts)[number], v: number): void => {
    const vip = vips[v] as (typeof vips)[number];
    h.vips.push(vip.prefix);
    vip.hosts.push(h.index);
    vip.azs.add(h.az);
  };
  for (let az = 0; az < 3; az++) {
    const mine = hosts.filter((h) => h.az === az);
    // The multi-AZ VIPs this AZ takes part in: v mod 3 is az or az − 1.
    const multi: number[] = [];
    for (let v = 0; v < o.multiVips; v++) if (v % 3 === az || (v + 1) % 3 === az) multi.push(v);
    // Two slots per host; in the failing AZ the first slot of the first 2 × singleVips hosts goes to a single VIP
    // (two hosts each), so no host announces one prefix twice.
    const singles = az === FAILING_AZ ? Math.min(2 * o.singleVips, mine.length) : 0;
    mine.slice(0, singles).forEach((h, j) => give(h, o.multiVips + Math.floor(j / 2)));
    const slots = [...mine.slice(singles), ...mine];
    slots.forEach((h, n) => {
      const v = multi[n % multi.length] as number;
      give(h, h.vips.includes(vipPrefix(v)) ? (multi[(n + 1) % multi.length] as number) : v);
    });
  }
  return {
    options: o,
    hosts,
    vips: vips.map((v) => ({ prefix: v.prefix, hosts: v.hosts, azs: [...v.azs].sort() })),
    prefixes: o.hosts + o.multiVips + o.singleVips,
  };
}

/** The VIPs that must move when the failing AZ goes silent: chosen in it (lowest address) and announced elsewhere too. */
export function vipsToMove(s: Scenario): VipPlan[] {
  return s.vips.filter((v) => v.azs[0] === FAILING_AZ && v.azs.length > 1);
}

/** VIPs with no announcer outside the failing AZ. */
export function vipsStranded(s: Scenario): VipPlan[] {
  return s.vips.filter((v) => v.azs.length === 1 && v.azs[0] === FAILING_AZ);
}
