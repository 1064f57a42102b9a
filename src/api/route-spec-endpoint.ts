// GET|POST /route_spec, compatible with romana/vpc-router's 'http' mode. A pure handler: the API server (which
// owns sockets, auth and the body-size limit → 413) passes the method, the body text and its content type, and
// sends back {status, json}. The body is parsed here, from its text, so a bad one is answered with its line and
// column and a duplicate key is refused (JSON.parse would silently keep the last one).
import { formatRouteSpec, parseRouteSpec, RouteSpecFormatError, type SpecEntry } from '../rib/spec-format.js';
import { formatPrefix } from '../net/prefix.js';

export interface HttpResult {
  readonly status: number;
  readonly json: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the handler needs from the route spec. */
export interface RouteSpecHttpTarget {
  setSpec(source: 'http', entries: readonly SpecEntry[]): void;
  mergedSpec(): SpecEntry[];
  explain(
    prefix: SpecEntry['prefix'],
  ): { candidates: readonly { source: string; nextHop: string; policy: { accepted: boolean; reason?: string } }[] } | undefined;
}

// curl -d sends application/x-www-form-urlencoded unless told otherwise; vpc-router users' scripts do that.
const ACCEPTED_TYPES = new Set(['application/json', 'text/json', 'text/plain', 'application/x-www-form-urlencoded']);

export type RouteSpecHandler = (method: string, bodyText: string, contentType?: string) => HttpResult;

export function createRouteSpecHandler(target: RouteSpecHttpTarget): RouteSpecHandler {
  return (method, bodyText, contentType) => {
    switch (method.toUpperCase()) {
      case 'GET':
      case 'HEAD':
        return { status: 200, json: formatRouteSpec(target.mergedSpec()) };
      case 'POST':
      case 'PUT':
        return post(target, bodyText, contentType);
      default:
        return {
          status: 405,
          json: { error: `method ${method} not allowed on /route_spec (GET or POST)` },
          headers: { allow: 'GET, HEAD, POST, PUT' },
        };
    }
  };
}

function post(target: RouteSpecHttpTarget, bodyText: string, contentType: string | undefined): HttpResult {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type && !ACCEPTED_TYPES.has(type)) {
    return { status: 415, json: { error: `unsupported content type "${type}": send application/json` } };
  }
  let entries: SpecEntry[];
  try {
    entries = parseRouteSpec(bodyText, 'body');
  } catch (err) {
    if (err instanceof RouteSpecFormatError) {
      return { status: 400, json: { error: err.message, line: err.line, column: err.col, reason: err.reason } };
    }
    throw err;
  }
  target.setSpec('http', entries);
  // Entries the import policy refused are stored (explain shows them) but reported now so the caller knows.
  const rejected: { prefix: string; nextHop: string; reason: string }[] = [];
  for (const e of entries) {
    const x = target.explain(e.prefix);
    for (const c of x?.candidates ?? []) {
      if (c.source === 'http' && !c.policy.accepted)
        rejected.push({ prefix: formatPrefix(e.prefix), nextHop: c.nextHop, reason: c.policy.reason ?? 'rejected' });
    }
  }
  return { status: 200, json: { status: 'ok', prefixes: entries.length, rejected } };
}
