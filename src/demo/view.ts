// The demo's live view: sessions, the route table and each EC2 call, rendered from a snapshot. Pure: data in,
// text out; ANSI colours only when asked (a TTY).
import type { PeerView } from '../api/views.js';
import { formatUptime } from '../base/duration.js';

export interface ViewRoute {
  readonly destination: string;
  readonly target: string;
  /** Host name behind an ENI target, when known. */
  readonly host?: string;
  readonly state: string;
  readonly ours: boolean;
}

export interface ViewCall {
  readonly at: number;
  readonly action: string;
  readonly detail: string;
  readonly outcome: string;
}

export interface ViewSnapshot {
  readonly step: string;
  readonly stepIndex: number;
  readonly steps: number;
  readonly elapsedMs: number;
  readonly apiUrl: string;
  readonly narrative: readonly string[];
  readonly hosts: readonly { readonly name: string; readonly ip: string; readonly peer?: PeerView; readonly healthPortOpen: boolean }[];
  readonly tableId: string;
  readonly limit: number;
  readonly routes: readonly ViewRoute[];
  readonly announced: number;
  readonly calls: readonly ViewCall[];
  readonly callTotals: Readonly<Record<string, number>>;
  readonly events: readonly string[];
}

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const esc = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
export const ansi: Paint = { bold: esc('1'), dim: esc('2'), green: esc('32'), red: esc('31'), yellow: esc('33'), cyan: esc('36') };
const id = (s: string): string => s;
export const plain: Paint = { bold: id, dim: id, green: id, red: id, yellow: id, cyan: id };

/** Pads to a visible width (colour codes do not count). */
function pad(s: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const visible = s.replace(/\x1b\[[0-9;]*m/g, '').length;
  return s + ' '.repeat(Math.max(0, width - visible));
}

/** Cuts a line to `width` visible characters, keeping colour codes intact (so a long line never wraps). */
export function fitLine(s: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < s.length;) {
    // eslint-disable-next-line no-control-regex
    const m = /^\x1b\[[0-9;]*m/.exec(s.slice(i));
    if (m) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    if (visible >= width) {
      i++;
      continue;
    }
    out += s[i];
    visible++;
    i++;
  }
  return out;
}

/** Row budgets so the whole view fits a terminal of `rows` lines. */
export function budgetsFor(rows: number): { routes: number; calls: number; events: number } {
  const fixed = 22; // header, narrative, session block (6 hosts), section headers and blank lines
  const spare = Math.max(0, rows - fixed);
  const routes = Math.max(3, Math.min(16, Math.floor(spare * 0.5)));
  const calls = Math.max(2, Math.min(8, Math.floor(spare * 0.3)));
  const events = Math.max(1, Math.min(6, spare - routes - calls));
  return { routes, calls, events };
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

export function renderView(v: ViewSnapshot, p: Paint, maxRoutes = 16, maxCalls = 8, maxEvents = 6): string {
  const out: string[] = [];
  out.push(
    `${p.bold('bgp2vpc demo')}  ${p.cyan(`step ${v.stepIndex}/${v.steps}: ${v.step}`)}  ${p.dim(`t=${secs(v.elapsedMs)}  API ${v.apiUrl}  Ctrl-C to stop`)}`,
  );
  for (const n of v.narrative.slice(-3)) out.push(`  ${n}`);
  out.push('');

  out.push(p.bold('SESSIONS'));
  out.push(
    p.dim(
      `  ${pad('HOST', 8)} ${pad('ADDRESS', 13)} ${pad('ASN', 6)} ${pad('STATE', 12)} ${pad('UP', 7)} ${pad('PFX', 4)} ${pad('FLAPS', 5)} HEALTH`,
    ),
  );
  for (const h of v.hosts) {
    const pv = h.peer;
    const state = pv ? (pv.state === 'established' ? p.green(pv.state) : p.red(pv.state)) : p.dim('-');
    const health = !pv
      ? p.dim(h.healthPortOpen ? 'not connected' : 'down')
      : pv.health.damped
        ? p.yellow('damped')
        : pv.health.healthy
          ? p.green('ok')
          : p.red(`down${pv.health.reason ? ` (${pv.health.reason})` : ''}`);
    out.push(
      `  ${pad(h.name, 8)} ${pad(h.ip, 13)} ${pad(pv ? String(pv.asn) : '', 6)} ${pad(state, 12)} ${pad(pv ? formatUptime(pv.uptimeSeconds * 1000) : '', 7)} ${pad(pv ? String(pv.prefixes.accepted) : '', 4)} ${pad(pv ? String(pv.flaps) : '', 5)} ${health}`,
    );
  }
  out.push('');

  const ours = v.routes.filter((r) => r.ours).length;
  const used = v.routes.filter((r) => r.target !== 'local').length;
  out.push(
    `${p.bold(`ROUTE TABLE ${v.tableId}`)}  ${used}/${v.limit} routes used (${ours} by bgp2vpc)  ${p.dim(`${v.announced} prefixes announced`)}`,
  );
  out.push(p.dim(`  ${pad('DESTINATION', 18)} ${pad('TARGET', 32)} STATE`));
  for (const r of v.routes.slice(0, maxRoutes)) {
    const target = r.host ? `${r.target} ${p.cyan(r.host)}` : r.target;
    const state = r.state === 'blackhole' ? p.red(r.state) : r.state;
    out.push(`  ${pad(r.destination, 18)} ${pad(target, 32)} ${state}${r.ours ? '' : p.dim('  (not ours: never touched)')}`);
  }
  if (v.routes.length > maxRoutes) out.push(p.dim(`  … ${v.routes.length - maxRoutes} more`));
  out.push('');

  const totals = Object.entries(v.callTotals)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  out.push(`${p.bold('EC2 CALLS')}  ${p.dim(totals || 'none yet')}`);
  const calls = v.calls.slice(-maxCalls);
  if (calls.length === 0) out.push(p.dim('  (no writes yet: bgp2vpc waits for initial convergence before its first write)'));
  for (const c of calls) {
    const outcome = c.outcome === 'ok' ? p.green('ok') : p.red(c.outcome);
    out.push(`  ${pad(secs(c.at), 7)} ${pad(c.action, 13)} ${pad(c.detail, 48)} ${outcome}`);
  }
  out.push('');
  out.push(p.bold('EVENTS'));
  for (const e of v.events.slice(-maxEvents)) out.push(`  ${e}`);
  return out.join('\n') + '\n';
}
