// Requests and replies between a test (or benchmark) and its fleet of simulated BGP hosts in a child process.
// The hosts live in their own process so that a stalled event loop in the process under test cannot delay their
// keepalives: a host whose session dies does so because the receiver failed it, as with a real peer.

export interface FleetHostSpec {
  readonly name: string;
  readonly localAddress: string;
  readonly asn: number;
  readonly holdTime: number;
  /** Open a TCP listener on localAddress:port that accepts and closes (a TCP health probe target). */
  readonly healthPort?: number;
  /** Prefixes announced as soon as the session is Established. */
  readonly announce?: readonly string[];
  /** Their next hop (default: localAddress). */
  readonly nextHop?: string;
}

/** Prefixes as a range: `count` consecutive prefixes of length `len` from `base` (IPv4). */
export interface PrefixRange {
  readonly base: string;
  readonly len: number;
  readonly count: number;
}

export type FleetRequest =
  | {
      readonly op: 'start';
      readonly remote: { readonly host: string; readonly port: number };
      readonly hosts: readonly FleetHostSpec[];
      readonly concurrency: number;
    }
  | { readonly op: 'announce'; readonly host: string; readonly prefixes: readonly string[] | PrefixRange; readonly nextHop?: string }
  | { readonly op: 'withdraw'; readonly host: string; readonly prefixes: readonly string[] | PrefixRange }
  /** Alternates announce and withdraw of one prefix, `count` UPDATEs back to back (ends withdrawn when count is even). */
  | { readonly op: 'storm'; readonly host: string; readonly prefix: string; readonly count: number }
  /** The hosts stop sending and answering (no keepalives, health port closed), connections left open. */
  | { readonly op: 'freeze'; readonly hosts: readonly string[] }
  | { readonly op: 'status' }
  | { readonly op: 'stop' };

export interface FleetHostStatus {
  readonly name: string;
  readonly state: string;
  /** Times the session reached Established. */
  readonly sessions: number;
  readonly notifications: readonly string[];
}

export interface FleetReply {
  readonly id: number;
  readonly ok: boolean;
  readonly error?: string;
  /** start: milliseconds until the last host was Established. */
  readonly ms?: number;
  /** start: hosts that could not reach Established (their errors, first few). */
  readonly failed?: number;
  readonly errors?: readonly string[];
  /** start: connection attempts repeated after a failed one (the receiver reset or did not answer). */
  readonly retried?: number;
  readonly hosts?: readonly FleetHostStatus[];
  /** status: resident set size and CPU time of the fleet process. */
  readonly rssBytes?: number;
  readonly cpuMs?: number;
}
