// The JSON shapes the HTTP API serves. `bgp2vpc status`, the demo's live view and users' scripts read them, so
// they are plain data (strings and numbers, no bigint) and only grow by adding fields.

export type PeerStateName = 'idle' | 'connect' | 'active' | 'opensent' | 'openconfirm' | 'established' | 'stale';

/** One BFD session (GET /api/v1/bfd): the next hop it watches, its state and negotiated timers. */
export interface BfdSessionApiView {
  readonly peer: string;
  readonly multihop: boolean;
  readonly state: 'AdminDown' | 'Down' | 'Init' | 'Up';
  readonly remoteState: 'AdminDown' | 'Down' | 'Init' | 'Up';
  /** Our last diagnostic and the host's (RFC 5880 §4.1), as text. */
  readonly diagnostic: string;
  readonly remoteDiagnostic: string;
  readonly txIntervalMs: number;
  readonly detectionTimeMs: number;
  readonly remoteMultiplier: number;
  /** Seconds in the current state. */
  readonly sinceSeconds: number;
  readonly flaps: number;
  readonly received: number;
  readonly sent: number;
}

export interface PeerView {
  /** Peer address in canonical text. */
  readonly peer: string;
  readonly asn: number;
  readonly state: PeerStateName;
  readonly hostname?: string;
  readonly routerId?: string;
  /** Seconds since the session came up (Established) or went down. */
  readonly uptimeSeconds: number;
  readonly capabilities: readonly string[];
  readonly prefixes: { readonly received: number; readonly accepted: number; readonly rejected: number };
  readonly flaps: number;
  readonly lastError?: string;
  /** Health of this host as a next hop: BGP state, probes and damping together. */
  readonly health: NextHopHealthView;
}

export interface NextHopHealthView {
  readonly healthy: boolean;
  readonly damped?: boolean;
  readonly reason?: string;
}

export interface CandidateView {
  readonly nextHop: string;
  /** Where the candidate came from: 'bgp:<peer>', 'file', 'http', 'static'. */
  readonly source: string;
  readonly healthy: boolean;
  readonly chosen: boolean;
  readonly detail?: string;
}

export interface RouteView {
  readonly prefix: string;
  readonly candidates: readonly CandidateView[];
  /** The chosen next hop, absent when none is healthy and the policy removes the route. */
  readonly chosen?: string;
}

export interface RoutesView {
  readonly routes: readonly RouteView[];
  /** Prefixes in the route spec (all pages). */
  readonly total?: number;
  /** Present when more routes follow: pass it as `?after=` for the next page. */
  readonly next?: string;
}

/** One page of GET /api/v1/routes, in prefix order: at most `limit` routes after the prefix `after`. */
export interface RoutesPage {
  readonly limit: number;
  /** Canonical prefix text; the page starts after it. */
  readonly after?: string;
}

export interface ReadyView {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
}

/** Controller HA: who writes to EC2. `standalone`: no election, this process is the writer. */
export interface HaView {
  readonly role: 'leader' | 'follower' | 'standalone';
  /** The leader's identity as last seen; null when there is none (or it is unknown: the lease store is away). */
  readonly leader: string | null;
  readonly identity: string;
  /** 'none', 'etcd' or 'kubernetes'. */
  readonly backend: string;
  /** EC2 writes are allowed right now (leader, takeover wait over, lease valid, initial convergence done). */
  readonly writable: boolean;
  /** The term's fencing token while leader (etcd: the key's create revision; Lease: leaseTransitions). */
  readonly token?: string;
  /** While leader: ms until writes stop unless a renewal is acknowledged. */
  readonly deadlineInMs?: number;
  /** While leader, during the takeover wait: ms until the first write is allowed. */
  readonly writableInMs?: number;
  /** Terms this replica has won since it started. */
  readonly terms?: number;
  /** The lease store's last failure, while it fails. */
  readonly lastError?: string;
}

export interface StatusView {
  readonly version: string;
  readonly cluster: string;
  readonly uptimeSeconds: number;
  readonly ready: ReadyView;
  readonly dryRun: boolean;
  readonly peers: { readonly total: number; readonly established: number };
  readonly prefixes: number;
  readonly tables: readonly { readonly id: string; readonly used: number; readonly limit: number; readonly desired: number }[];
  readonly ec2Calls: Readonly<Record<string, number>>;
  readonly ha: HaView;
}
