// Renders the API's views as the readable text `bgp2vpc status` prints. Pure: views in, text out.
import type { HaView, PeerView, RoutesView, StatusView } from '../api/views.js';
import type { TablesView } from '../vpc/table-view.js';
import { formatUptime } from '../base/duration.js';
import { textTable } from '../base/text-table.js';

export interface StatusSnapshot {
  readonly status: StatusView;
  readonly peers: readonly PeerView[];
  readonly routes: RoutesView;
  readonly tables: TablesView;
}

export function renderStatus(s: StatusSnapshot): string {
  const out: string[] = [];
  const st = s.status;
  const notReady = Object.entries(st.ready.checks)
    .filter(([, ok]) => !ok)
    .map(([k]) => k);
  out.push(
    `bgp2vpc ${st.version}  cluster ${st.cluster}  up ${formatUptime(st.uptimeSeconds * 1000)}  ` +
      `${st.ready.ready ? 'ready' : `NOT READY (${notReady.join(', ') || 'starting'})`}${st.dryRun ? '  DRY RUN (no EC2 writes)' : ''}`,
  );
  out.push(haLine(st.ha));
  out.push('');
  out.push(`Sessions (${st.peers.established}/${st.peers.total} established)`);
  if (s.peers.length === 0) out.push('  (no peers)');
  else
    out.push(
      textTable(
        ['PEER', 'ASN', 'STATE', 'UPTIME', 'RCVD', 'ACCEPTED', 'REJECTED', 'FLAPS', 'HEALTH', 'LAST ERROR'],
        s.peers.map((p) => [
          p.hostname ? `${p.peer} (${p.hostname})` : p.peer,
          String(p.asn),
          p.state,
          formatUptime(p.uptimeSeconds * 1000),
          String(p.prefixes.received),
          String(p.prefixes.accepted),
          String(p.prefixes.rejected),
          String(p.flaps),
          p.health.healthy ? 'ok' : p.health.damped ? 'damped' : `down${p.health.reason ? ` (${p.health.reason})` : ''}`,
          p.lastError ?? '',
        ]),
      ).trimEnd(),
    );
  out.push('');
  const total = s.routes.total ?? s.routes.routes.length;
  out.push(`Routes (${total} prefixes${total > s.routes.routes.length ? `, the first ${s.routes.routes.length} shown` : ''})`);
  if (s.routes.routes.length === 0) out.push('  (route spec is empty)');
  else
    out.push(
      textTable(
        ['PREFIX', 'CHOSEN', 'CANDIDATES'],
        s.routes.routes.map((r) => [
          r.prefix,
          r.chosen ?? '-',
          r.candidates.map((c) => `${c.nextHop}${c.healthy ? '' : '(down)'}${c.chosen ? '*' : ''}`).join(' '),
        ]),
      ).trimEnd(),
    );
  out.push('');
  out.push('Route tables');
  if (s.tables.tables.length === 0) out.push('  (no route tables)');
  for (const t of s.tables.tables) {
    const pct = t.limit > 0 ? Math.round((100 * t.used) / t.limit) : 0;
    const damage = t.damageAddresses !== '0' ? `  DAMAGE: ${t.damageAddresses} announced addresses misrouted (table full)` : '';
    const pend =
      t.pending && t.pending.creates + t.pending.replaces + t.pending.deletes > 0
        ? `  pending +${t.pending.creates} ~${t.pending.replaces} -${t.pending.deletes}`
        : '';
    out.push(
      `  ${t.id}: ${t.used}/${t.limit} routes (${pct}%), ${t.desired.length} desired${pend}${damage}${t.lastError ? `  error: ${t.lastError}` : ''}`,
    );
    const actual = new Map(t.actual.map((r) => [r.destination, r]));
    const rows = t.desired.map((d) => {
      const a = actual.get(d.destination);
      const inSync = a !== undefined && a.target === d.target && a.state !== 'blackhole';
      return [
        '    ' + d.destination,
        d.target,
        a ? `${a.target}${a.state && a.state !== 'active' ? ` (${a.state})` : ''}` : '-',
        inSync ? 'in sync' : 'pending',
      ];
    });
    if (rows.length) out.push(textTable(['    DESTINATION', 'DESIRED', 'ACTUAL', ''], rows).trimEnd());
  }
  const calls = Object.entries(st.ec2Calls);
  if (calls.length) {
    out.push('');
    out.push('EC2 calls: ' + calls.map(([k, v]) => `${k}=${v}`).join(' '));
  }
  return out.join('\n') + '\n';
}

/** One line: who writes to EC2. */
export function haLine(ha: HaView): string {
  const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
  switch (ha.role) {
    case 'standalone':
      return `HA: standalone (no election; this process writes)`;
    case 'leader': {
      const wait = ha.writableInMs !== undefined ? `, first write in ${secs(ha.writableInMs)}` : '';
      const left = ha.deadlineInMs !== undefined ? `, lease valid ${secs(ha.deadlineInMs)}` : '';
      return `HA: LEADER as ${ha.identity} (${ha.backend}, term ${ha.token ?? '?'}${left}${wait})${ha.writable ? '' : '  not writing'}`;
    }
    case 'follower':
      return (
        `HA: follower as ${ha.identity} (${ha.backend}), ` +
        (ha.leader !== null ? `leader ${ha.leader}` : 'NO LEADER: nobody writes to EC2') +
        (ha.lastError !== undefined ? `  ${ha.backend} error: ${ha.lastError}` : '')
      );
    default: {
      const never: never = ha.role;
      return never;
    }
  }
}
