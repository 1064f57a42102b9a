// The route spec document, compatible with romana/vpc-router: a JSON object mapping a CIDR to the list of
// eligible hosts, in preference order: {"10.55.0.0/16": ["10.0.0.5", "10.0.0.6"]}.
// Used by the route spec file, HTTP POST/GET /route_spec and static routes from the config.
import { UserError } from '../base/errors.js';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { parseYamlText } from '../base/yaml-text.js';
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
 * Parses and validates a route spec document: JSON (or, since JSON is YAML, the same in YAML). Throws
 * RouteSpecFormatError with the line and column of the offending value; `source` (usually the file name) prefixes
 * the message.
 */
export function parseRouteSpec(text: string, source?: string): SpecEntry[] {
  const y = parseYamlText(text);
  const fail = (node: Node | null | undefined, reason: string): never => {
    const p = y.pos(node);
    throw new RouteSpecFormatError(p.line, p.col, reason, source);
  };
  const first = y.issues[0];
  if (first) throw new RouteSpecFormatError(first.line, first.col, `invalid JSON: ${first.message}`, source);
  const root = y.doc?.contents;
  if (!isMap(root)) {
    return fail(root, `route spec must be a JSON object mapping CIDR → list of host addresses, got ${kindOf(root)}`);
  }
  if (root.items.length > MAX_SPEC_PREFIXES) fail(root, `route spec has more than ${MAX_SPEC_PREFIXES} prefixes`);
  const out: SpecEntry[] = [];
  const seen = new Map<string, number>();
  for (const { key, value } of root.items) {
    const keyNode = key as Node | null;
    const keyText = isScalar(keyNode) ? keyNode.value : undefined;
    if (typeof keyText !== 'string') return fail(keyNode, `keys must be CIDR strings, got ${kindOf(keyNode)}`);
    let prefix: Prefix;
    try {
      prefix = parsePrefix(keyText);
    } catch (err) {
      return fail(keyNode, `bad CIDR ${JSON.stringify(keyText)}: ${(err as Error).message}`);
    }
    if (!keyText.includes('/')) fail(keyNode, `bad CIDR ${JSON.stringify(keyText)}: missing /length`);
    const canon = formatPrefix(prefix);
    const firstLine = seen.get(canon);
    if (firstLine !== undefined) fail(keyNode, `${canon} appears twice (first at line ${firstLine})`);
    seen.set(canon, y.pos(keyNode).line);
    const list = value as Node | null;
    if (!isSeq(list)) return fail(list, `hosts of ${canon} must be a list of IP addresses, got ${kindOf(list)}`);
    if (list.items.length > MAX_HOSTS_PER_PREFIX) fail(list, `${canon} lists more than ${MAX_HOSTS_PER_PREFIX} hosts`);
    const hosts: string[] = [];
    for (const item of list.items as (Node | null)[]) {
      const v = isScalar(item) ? item.value : undefined;
      if (typeof v !== 'string') return fail(item, `host of ${canon} must be an IP address string, got ${kindOf(item)}`);
      let host: string;
      try {
        host = formatAddress(unmapIpv4(parseAddress(v)));
      } catch {
        return fail(item, `host ${JSON.stringify(v)} of ${canon} is not an IP address`);
      }
      if (hosts.includes(host)) fail(item, `host ${host} listed twice for ${canon}`);
      hosts.push(host);
    }
    out.push({ prefix, nextHops: hosts });
  }
  return out;
}

/** The JSON name of what a node holds, for messages ("got array"). */
function kindOf(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  if (isScalar(node)) return node.value === null ? 'null' : Array.isArray(node.value) ? 'array' : typeof node.value;
  return 'alias';
}

/** The document form: keys sorted (IPv4 first, by address then length), hosts in preference order. */
export function formatRouteSpec(entries: readonly SpecEntry[]): Record<string, string[]> {
  const sorted = [...entries].sort((a, b) => comparePrefixes(a.prefix, b.prefix));
  const out: Record<string, string[]> = {};
  for (const e of sorted) out[formatPrefix(e.prefix)] = [...e.nextHops];
  return out;
}
