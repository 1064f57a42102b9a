// `bgp2vpc status [--api URL] [--token T] [--json]`: asks a running daemon's API for its views and prints them as
// readable tables (or the raw JSON). A daemon that cannot be reached is the operator's problem: one line, exit 1.
import { UserError, errorMessage } from '../base/errors.js';
import type { PeerView, RoutesView, StatusView } from '../api/views.js';
import type { TablesView } from '../vpc/table-view.js';
import { renderStatus, type StatusSnapshot } from './status-render.js';

async function getJson<T>(base: string, path: string, token: string | undefined): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(5_000),
    });
  } catch (e) {
    throw new UserError(
      'API_UNREACHABLE',
      `cannot reach the bgp2vpc API at ${base} (${errorMessage(e)}); is the daemon running? (--api URL)`,
    );
  }
  if (res.status === 401) throw new UserError('API_UNAUTHORIZED', `the API at ${base} needs a bearer token (--token or $BGP2VPC_TOKEN)`);
  if (!res.ok) throw new UserError('API_ERROR', `GET ${path} answered HTTP ${res.status}`);
  return (await res.json()) as T;
}

export async function fetchSnapshot(api: string, token?: string): Promise<StatusSnapshot> {
  const [status, peers, routes, tables] = await Promise.all([
    getJson<StatusView>(api, '/api/v1/status', token),
    getJson<{ peers: PeerView[] }>(api, '/api/v1/peers', token),
    getJson<RoutesView>(api, '/api/v1/routes', token),
    getJson<TablesView>(api, '/api/v1/tables', token),
  ]);
  return { status, peers: peers.peers, routes, tables };
}

export async function statusCommand(opts: Record<string, unknown>, _args: readonly string[]): Promise<number> {
  const api = typeof opts.api === 'string' ? opts.api : 'http://127.0.0.1:33289';
  const token = typeof opts.token === 'string' ? opts.token : process.env.BGP2VPC_TOKEN;
  try {
    new URL(api);
  } catch {
    throw new UserError('BAD_API_URL', `--api: not a URL: ${api}`);
  }
  const snap = await fetchSnapshot(api, token || undefined);
  process.stdout.write(opts.json ? JSON.stringify(snap, null, 2) + '\n' : renderStatus(snap));
  return 0;
}
