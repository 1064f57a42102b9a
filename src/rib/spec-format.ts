// The route spec document, compatible with romana/vpc-router: a JSON object mapping a CIDR to the list of
// eligible hosts, in preference order: {"10.55.0.0/16": ["10.0.0.5", "10.0.0.6"]}.
// Used by the route spec file, HTTP POST/GET /route_spec and static routes from the config.
import { UserError } from '../base/errors.js';
import { parseJsonWithPositions, JsonSyntaxError, type JsonPos } from './json-positions.js';
import { parsePrefix, formatPrefix, comparePrefixes, type Prefix } from '../net/prefix.js';
import { parseAddress, unmapIpv4, formatAddress } from '../net/address.js';

export interface SpecEntry {
  readonly prefix: Prefix;
  /** Canonical next-hop texts, first = most preferred. */
  readonly nextHops: readonly string[];
}

export class RouteSpecFormatError extends UserError {
  constructor(
    readonly line: number,
    readonly col: number,
    readonly reason: string,
    readonly source?: string,
  ) {
    super('BAD_ROUTE_SPEC', line > 0 ? `${source ? `${source}:` : ''}${line}:${col}: ${reason}` : reason);
  }
}

/** Largest accepted document: 100k prefixes is far beyond any route table; keep a bound on memory anyway. */
export const MAX_SPEC_PREFIXES = 100_000;
export const MAX_HOSTS_PER_PREFIX = 1_000;

/**
 * Parses and validates a route spec document. Throws RouteSpecFormatError (line and column of the offending
 * value; `source` — usually the file name — prefixes the message).
 */
export function parseRouteSpec(text: string, source?: string): SpecEntry[] {
  const fail = (pos: JsonPos, reason: string): never => {
    throw new RouteSpecFormatError(pos.line, pos.col, reason, source);
  };
  let doc;
  try {
    doc = parseJsonWithPositions(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return fail(err.pos, `invalid JSON: ${err.reason}`);
    throw err;
  }
  if (doc.kind !== 'object') {
    return fail(doc.pos, `route spec must be a JSON object mapping CIDR → list of host addresses, got ${doc.kind}`);
  }
  if (doc.entries.length > MAX_SPEC_PREFIXES) fail(doc.pos, `route spec has more than ${MAX_SPEC_PREFIXES} prefixes`);
  const out: SpecEntry[] = [];
  const seen = new Map<string, JsonPos>();
  for (const [key, value] of doc.entries) {
    let prefix: Prefix;
    try {
      prefix = parsePrefix(key.value);
    } catch (err) {
      return fail(key.pos, `bad CIDR ${JSON.stringify(key.value)}: ${(err as Error).message}`);
    }
    if (!key.value.includes('/')) fail(key.pos, `bad CIDR ${JSON.stringify(key.value)}: missing /length`);
    const canon = formatPrefix(prefix);
    const first = seen.get(canon);
    if (first) fail(key.pos, `${canon} appears twice (first at line ${first.line})`);
    seen.set(canon, key.pos);
    if (value.kind !== 'array') {
      return fail(value.pos, `hosts of ${canon} must be a list of IP addresses, got ${value.kind}`);
    }
    if (value.items.length > MAX_HOSTS_PER_PREFIX) fail(value.pos, `${canon} lists more than ${MAX_HOSTS_PER_PREFIX} hosts`);
    const hosts: string[] = [];
    for (const item of value.items) {
      if (item.kind !== 'string') return fail(item.pos, `host of ${canon} must be an IP address string, got ${item.kind}`);
      let host: string;
      try {
        host = formatAddress(unmapIpv4(parseAddress(item.value)));
      } catch {
        return fail(item.pos, `host ${JSON.stringify(item.value)} of ${canon} is not an IP address`);
      }
      if (hosts.includes(host)) fail(item.pos, `host ${host} listed twice for ${canon}`);
      hosts.push(host);
    }
    out.push({ prefix, nextHops: hosts });
  }
  return out;
}

/** The document form: keys sorted (IPv4 first, by address then length), hosts in preference order. */
export function formatRouteSpec(entries: readonly SpecEntry[]): Record<string, string[]> {
  const sorted = [...entries].sort((a, b) => comparePrefixes(a.prefix, b.prefix));
  const out: Record<string, string[]> = {};
  for (const e of sorted) out[formatPrefix(e.prefix)] = [...e.nextHops];
  return out;
}

/**
 * Validates an already-parsed JSON value (an API server that parsed the body itself). Same rules as
 * parseRouteSpec; errors name the key instead of a line. Throws RouteSpecFormatError (line/col 0).
 */
export function parseRouteSpecValue(value: unknown): SpecEntry[] {
  const fail = (reason: string): never => {
    throw new RouteSpecFormatError(0, 0, reason);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`route spec must be a JSON object mapping CIDR → list of host addresses, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`);
  }
  // Re-serialise and parse: one set of rules, one set of messages (positions mean nothing here: dropped).
  try {
    return parseRouteSpec(JSON.stringify(value));
  } catch (err) {
    if (err instanceof RouteSpecFormatError) return fail(err.reason);
    throw err;
  }
}
