// Import policy: decides, for every path (BGP) or spec entry (file, HTTP, static), whether it may become a
// candidate, and with which configured priority. Pure: compiled once from plain options, then evaluated
// synchronously. A rejection carries a one-line reason that the route spec keeps and `explain` shows.
import type { BgpPath } from '../bgp/events.js';
import {
  parsePrefix,
  prefixContains,
  prefixesOverlap,
  prefixEquals,
  prefixContainsAddress,
  formatPrefix,
  hostMask,
  type Prefix,
} from '../net/prefix.js';
import { parseAddress, unmapIpv4, isLinkLocal, type Address, type Family } from '../net/address.js';
import { UserError } from '../base/errors.js';
import { communityPriority, parseCommunityPriorities, type CommunityPriorityRule } from './community-priority.js';

export type PolicyVerdict =
  | { readonly accepted: true; readonly priority: number; readonly group: string }
  | { readonly accepted: false; readonly reason: string; readonly group: string };

export interface LengthBounds {
  readonly min: number;
  readonly max: number;
}

/** Options of one peer group. Everything optional: unset values fall back to the policy-wide ones. */
export interface GroupPolicyOptions {
  readonly name: string;
  /** Peer addresses or CIDRs that belong to this group (first matching group wins). */
  readonly peers?: readonly string[];
  /** Accepted prefix ranges; default: the cluster CIDRs. */
  readonly allowedPrefixes?: readonly string[];
  /** Accepted prefix lengths; unset: any length of the family (the daemon always sets the config's bounds). */
  readonly ipv4Length?: LengthBounds;
  readonly ipv6Length?: LengthBounds;
  /** Accept a next hop other than the peer's own address (route servers, BIRD with `next hop self` off). */
  readonly allowThirdPartyNextHop?: boolean;
  /** Community → priority rules: "65000:100" = 100 (exact) or "65000:*" (the value is the priority). */
  readonly communityPriorities?: readonly string[];
  /** Priority when no community rule matches (default 0). */
  readonly defaultPriority?: number;
}

export interface ImportPolicyOptions {
  /** The cluster CIDRs: default allowed range for every group. */
  readonly clusterCidrs: readonly string[];
  /** VPC CIDRs when known: prefixes inside them are refused unless equal to a subnet; next hops must be inside. */
  readonly vpcCidrs?: readonly string[];
  readonly subnetCidrs?: readonly string[];
  readonly groups?: readonly GroupPolicyOptions[];
  /** The group used for peers that match no group, and for file / HTTP / static entries (default "default"). */
  readonly defaultGroup?: string;
  /** Accept 127.0.0.0/8 and ::1 next hops (tests and the demo on loopback only). Default false. */
  readonly allowLoopbackNextHops?: boolean;
}

// No default length bounds here: the configuration schema holds them (bgp.groups.*.prefixLength), and the daemon
// passes them for every group, "default" included.
const ANY_IPV4_LENGTH: LengthBounds = { min: 0, max: 32 };
const ANY_IPV6_LENGTH: LengthBounds = { min: 0, max: 128 };

export class PolicyConfigError extends UserError {
  constructor(message: string) {
    super('BAD_POLICY', message);
  }
}

interface MaskedPrefix {
  readonly family: Family;
  readonly len: number;
  readonly addr: bigint;
  /** Network mask (ones in the prefix bits). */
  readonly mask: bigint;
}

const masked = (p: Prefix): MaskedPrefix => ({
  family: p.family,
  len: p.len,
  addr: p.addr,
  mask: ((1n << BigInt(p.family === 'ipv4' ? 32 : 128)) - 1n) ^ hostMask(p.family, p.len),
});

/** Some prefix of `list` covers `p` (equal counts). */
function anyCovers(list: readonly MaskedPrefix[], p: Prefix): boolean {
  for (const o of list) if (o.family === p.family && o.len <= p.len && (p.addr & o.mask) === o.addr) return true;
  return false;
}

/** `p` covers some prefix of `list`. */
function anyCoveredBy(list: readonly MaskedPrefix[], p: Prefix): boolean {
  for (const o of list) if (o.family === p.family && p.len <= o.len && (o.addr & ~hostMask(p.family, p.len)) === p.addr) return true;
  return false;
}

interface CompiledGroup {
  readonly name: string;
  readonly peers: readonly Prefix[];
  readonly allowed: readonly Prefix[];
  readonly allowedFast: readonly MaskedPrefix[];
  readonly ipv4Length: LengthBounds;
  readonly ipv6Length: LengthBounds;
  readonly thirdParty: boolean;
  readonly rules: readonly CommunityPriorityRule[];
  readonly defaultPriority: number;
}

const p = (t: string): Prefix => parsePrefix(t);

// AWS: reserved link-local range of the VPC resolver/metadata and the IPv6 equivalent are never routable.
const RESERVED: readonly Prefix[] = [p('169.254.168.0/22'), p('fd00:ec2::/32')];
// Addresses a VPC can use for IPv4 (RFC 1918, RFC 6598 shared space, RFC 2544 benchmark range).
const PRIVATE_V4: readonly Prefix[] = [p('10.0.0.0/8'), p('172.16.0.0/12'), p('192.168.0.0/16'), p('100.64.0.0/10'), p('198.18.0.0/15')];
const RESERVED_FAST: readonly MaskedPrefix[] = RESERVED.map(masked);
const LOOPBACK: readonly Prefix[] = [p('127.0.0.0/8'), p('::1/128')];
const UNROUTABLE_V6: readonly Prefix[] = [p('::/128'), p('ff00::/8'), p('::ffff:0:0/96')];

function parseList(what: string, list: readonly string[] | undefined): Prefix[] {
  return (list ?? []).map((t) => {
    try {
      return parsePrefix(t, { requireCanonical: false });
    } catch (err) {
      throw new PolicyConfigError(`${what}: ${(err as Error).message}`);
    }
  });
}

function checkBounds(what: string, b: LengthBounds, bits: number): LengthBounds {
  if (!Number.isInteger(b.min) || !Number.isInteger(b.max) || b.min < 0 || b.max > bits || b.min > b.max) {
    throw new PolicyConfigError(`${what}: length bounds ${b.min}..${b.max} must satisfy 0 ≤ min ≤ max ≤ ${bits}`);
  }
  return b;
}

/** A compiled import policy. Immutable; a config reload compiles a new one and calls RouteSpec.setPolicy. */
export class ImportPolicy {
  readonly defaultGroup: string;
  private readonly groups: readonly CompiledGroup[];
  private readonly fallback: CompiledGroup;
  private readonly vpc: readonly Prefix[];
  private readonly vpcFast: readonly MaskedPrefix[];
  private readonly subnets: readonly Prefix[];
  private readonly allowLoopback: boolean;
  private readonly groupCache = new Map<string, CompiledGroup>();
  /** (group, peer, next hop) → problem text or '' (a few thousand entries: one per host and peer). */
  private readonly nextHopCache = new Map<string, string>();

  constructor(opts: ImportPolicyOptions) {
    const cluster = parseList('cluster CIDRs', opts.clusterCidrs);
    this.vpc = parseList('VPC CIDRs', opts.vpcCidrs);
    this.subnets = parseList('subnet CIDRs', opts.subnetCidrs);
    this.allowLoopback = opts.allowLoopbackNextHops ?? false;
    this.defaultGroup = opts.defaultGroup ?? 'default';
    this.vpcFast = this.vpc.map(masked);
    const compile = (g: GroupPolicyOptions): CompiledGroup => {
      const allowed = g.allowedPrefixes ? parseList(`group ${g.name} allowed prefixes`, g.allowedPrefixes) : cluster;
      return {
        name: g.name,
        peers: parseList(`group ${g.name} peers`, g.peers),
        allowed,
        allowedFast: allowed.map(masked),
        ipv4Length: checkBounds(`group ${g.name} ipv4`, g.ipv4Length ?? ANY_IPV4_LENGTH, 32),
        ipv6Length: checkBounds(`group ${g.name} ipv6`, g.ipv6Length ?? ANY_IPV6_LENGTH, 128),
        thirdParty: g.allowThirdPartyNextHop ?? false,
        rules: parseCommunityPriorities(g.communityPriorities ?? [], (m) => new PolicyConfigError(`group ${g.name}: ${m}`)),
        defaultPriority: g.defaultPriority ?? 0,
      };
    };
    this.groups = (opts.groups ?? []).map(compile);
    this.fallback = this.groups.find((g) => g.name === this.defaultGroup) ?? compile({ name: this.defaultGroup });
  }

  /**
   * The group of a peer (by its canonical address text): the group with the most specific entry covering it, as the
   * speaker matches neighbours and ranges (a /32 range or a static neighbour inside a wider range wins); on a tie
   * the first group listed.
   */
  groupOf(peer: string): string {
    return this.group(peer).name;
  }

  private group(peer: string): CompiledGroup {
    let g = this.groupCache.get(peer);
    if (g) return g;
    let addr: Address | undefined;
    try {
      addr = unmapIpv4(parseAddress(peer));
    } catch {
      addr = undefined;
    }
    let bestLen = -1;
    for (const cg of addr ? this.groups : []) {
      for (const pp of cg.peers) {
        if (pp.len > bestLen && addr && prefixContainsAddress(pp, addr)) {
          g = cg;
          bestLen = pp.len;
        }
      }
    }
    g ??= this.fallback;
    this.groupCache.set(peer, g);
    return g;
  }

  /** Evaluates a BGP path received from `path.peer`. */
  evaluatePath(path: BgpPath): PolicyVerdict {
    const g = this.group(path.peer);
    const prefixProblem = this.prefixProblem(g, path.prefix);
    if (prefixProblem) return { accepted: false, reason: prefixProblem, group: g.name };
    const nhProblem = this.nextHopVerdict(g, path.peer, path.nextHop);
    if (nhProblem) return { accepted: false, reason: nhProblem, group: g.name };
    return this.accepted(g, communityPriority(g.rules, path.attrs.communities) ?? g.defaultPriority);
  }

  /** The last next hop looked at: consecutive paths (one UPDATE's prefixes) share peer and next hop. */
  private lastNh: { g: CompiledGroup; peer: string; nextHop: string; problem: string } | undefined;

  private nextHopVerdict(g: CompiledGroup, peer: string, nextHop: string): string {
    const last = this.lastNh;
    if (last && last.g === g && last.peer === peer && last.nextHop === nextHop) return last.problem;
    const key = `${g.name}|${peer}|${nextHop}`;
    let problem = this.nextHopCache.get(key);
    if (problem === undefined) {
      problem = this.pathNextHopProblem(g, peer, nextHop) ?? '';
      if (this.nextHopCache.size > 100_000) this.nextHopCache.clear();
      this.nextHopCache.set(key, problem);
    }
    this.lastNh = { g, peer, nextHop, problem };
    return problem;
  }

  /** Accepted verdicts are values: one shared object per group and priority, not one per path. */
  private readonly acceptedVerdicts = new Map<CompiledGroup, Map<number, PolicyVerdict>>();

  private accepted(g: CompiledGroup, priority: number): PolicyVerdict {
    let m = this.acceptedVerdicts.get(g);
    if (!m) this.acceptedVerdicts.set(g, (m = new Map()));
    let v = m.get(priority);
    if (!v) m.set(priority, (v = { accepted: true, priority, group: g.name }));
    return v;
  }

  private pathNextHopProblem(g: CompiledGroup, peer: string, nextHop: string): string | undefined {
    let nh: Address;
    try {
      nh = unmapIpv4(parseAddress(nextHop));
    } catch {
      return `next hop "${nextHop}" is not an address`;
    }
    if (!g.thirdParty) {
      let peerAddr: Address | undefined;
      try {
        peerAddr = unmapIpv4(parseAddress(peer));
      } catch {
        peerAddr = undefined;
      }
      if (!peerAddr || peerAddr.family !== nh.family || peerAddr.addr !== nh.addr) {
        return `next hop ${nextHop} is not the peer's own address ${peer} (third-party next hops not allowed in group ${g.name})`;
      }
    }
    return this.nextHopProblem(nh, nextHop);
  }

  /** Evaluates a route spec entry (file, HTTP POST, static config): prefix and next-hop rules of the default group. */
  evaluateSpec(prefix: Prefix, nextHop: string): PolicyVerdict {
    const g = this.fallback;
    const reject = (reason: string): PolicyVerdict => ({ accepted: false, reason, group: g.name });
    const prefixProblem = this.prefixProblem(g, prefix);
    if (prefixProblem) return reject(prefixProblem);
    let nh: Address;
    try {
      nh = unmapIpv4(parseAddress(nextHop));
    } catch {
      return reject(`next hop "${nextHop}" is not an address`);
    }
    const nhProblem = this.nextHopProblem(nh, nextHop);
    if (nhProblem) return reject(nhProblem);
    return { accepted: true, priority: g.defaultPriority, group: g.name };
  }

  private prefixProblem(g: CompiledGroup, prefix: Prefix): string | undefined {
    // Fast path (every accepted path goes through here): no closures, precomputed masks.
    if (prefix.len !== 0 && !anyCovers(RESERVED_FAST, prefix) && !anyCoveredBy(RESERVED_FAST, prefix)) {
      const b = prefix.family === 'ipv4' ? g.ipv4Length : g.ipv6Length;
      if (prefix.len >= b.min && prefix.len <= b.max && anyCovers(g.allowedFast, prefix) && !this.insideVpc(prefix)) return undefined;
    }
    return this.describePrefixProblem(g, prefix);
  }

  private insideVpc(prefix: Prefix): boolean {
    if (this.vpc.length === 0 || !anyCovers(this.vpcFast, prefix)) return false;
    for (const s of this.subnets) if (prefixEquals(s, prefix)) return false;
    return true;
  }

  private describePrefixProblem(g: CompiledGroup, prefix: Prefix): string | undefined {
    const text = (): string => formatPrefix(prefix);
    if (prefix.len === 0) return `${text()} is a default route (never accepted)`;
    for (const r of RESERVED) {
      if (prefixesOverlap(r, prefix)) return `${text()} overlaps the AWS reserved range ${formatPrefix(r)}`;
    }
    const bounds = prefix.family === 'ipv4' ? g.ipv4Length : g.ipv6Length;
    if (prefix.len < bounds.min || prefix.len > bounds.max) {
      return `${text()} length /${prefix.len} outside ${bounds.min}..${bounds.max} (group ${g.name})`;
    }
    if (!g.allowed.some((a) => prefixContains(a, prefix))) {
      return `${text()} is outside the allowed prefixes of group ${g.name} (${g.allowed.map(formatPrefix).join(', ') || 'none configured'})`;
    }
    // EC2 refuses a destination equal to or inside a VPC CIDR unless it is exactly a subnet CIDR.
    const vpc = this.vpc.find((v) => prefixContains(v, prefix));
    if (vpc && !this.subnets.some((s) => prefixEquals(s, prefix))) {
      return `${text()} is inside VPC CIDR ${formatPrefix(vpc)} and is not a whole subnet`;
    }
    return undefined;
  }

  private nextHopProblem(nh: Address, text: string): string | undefined {
    const isIn = (list: readonly Prefix[]): boolean => list.some((pp) => prefixContainsAddress(pp, nh));
    if (this.allowLoopback && isIn(LOOPBACK)) return undefined;
    if (isLinkLocal(nh)) return `next hop ${text} is link-local`;
    if (this.vpc.some((v) => v.family === nh.family)) {
      return isIn(this.vpc) ? undefined : `next hop ${text} is not inside the VPC CIDRs`;
    }
    if (nh.family === 'ipv4') return isIn(PRIVATE_V4) ? undefined : `next hop ${text} is not a private address`;
    return isIn(UNROUTABLE_V6) || isIn(LOOPBACK) ? `next hop ${text} is not a unicast address` : undefined;
  }
}

/** Accepts everything at priority 0 (unit tests and pure library use). */
export const acceptAllPolicy: Pick<ImportPolicy, 'evaluatePath' | 'evaluateSpec' | 'groupOf'> = {
  evaluatePath: () => ({ accepted: true, priority: 0, group: 'default' }),
  evaluateSpec: () => ({ accepted: true, priority: 0, group: 'default' }),
  groupOf: () => 'default',
};

export type PathPolicy = Pick<ImportPolicy, 'evaluatePath' | 'evaluateSpec' | 'groupOf'>;
