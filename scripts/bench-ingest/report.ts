// Markdown table of the ingest benchmark: prefixes/s (median), the whole daemon's ratio to each receiver in the
// same run, what each figure includes, RSS, event-loop figures, and the issues' targets checked.

export interface Cell {
  readonly receiver: string;
  readonly n: number;
  readonly packing: 'packed' | 'single';
  readonly ingestPerS: number;
  readonly withdrawPerS: number;
  readonly rssAfterBytes: number;
  readonly rssGrowthPerPrefix: number;
  readonly runs: number;
  /** Whole-daemon receivers: worst over the runs, ingest and withdrawal windows. */
  readonly lagP99Ms?: number;
  readonly lagMaxMs?: number;
  readonly healthzMaxMs?: number;
}

export interface ReportMeta {
  readonly command: string;
  readonly date: string;
  readonly machine: string;
  readonly pollMs: number;
  /** The whole daemon's memory before any route (bytes). */
  readonly idle?: { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number; readonly external: number };
}

/** What a receiver's figure includes. */
const INCLUDES: Readonly<Record<string, string>> = {
  bgp2vpc: 'whole daemon (`bgp2vpc run`: speaker, policy, route spec, VPC sync + aggregation, API)',
  speaker: 'speaker only (codec + Adj-RIB-In, no route spec or VPC sync)',
  gobgpd: 'whole daemon (Adj-RIB-In + best path)',
  bird: 'whole daemon (import into its table)',
  frr: 'whole daemon (bgpd, no zebra)',
};

const k = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${Math.round(x / 1000)}k`);
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
const ms = (x: number | undefined): string => (x === undefined ? '' : `${Math.round(x)} ms`);

export function renderReport(cells: readonly Cell[], meta: ReportMeta): string {
  const out: string[] = [];
  out.push(
    `Command: \`${meta.command}\` — ${meta.date} — ${meta.machine}; counters polled every ${meta.pollMs} ms ` +
      `(timing resolution: the poll interval plus one counter read).`,
  );
  out.push('');
  out.push(
    '| N | UPDATEs | receiver | what it includes | ingest (prefixes/s) | withdraw (prefixes/s) | bgp2vpc ÷ this (ingest) | RSS after ingest | RSS growth / prefix | loop lag p99 / max | /healthz max |',
  );
  out.push('|---|---|---|---|---|---|---|---|---|---|---|');
  const groups = new Map<string, Cell[]>();
  for (const c of cells) groups.set(`${c.n}/${c.packing}`, [...(groups.get(`${c.n}/${c.packing}`) ?? []), c]);
  const checks: string[] = [];
  for (const group of groups.values()) {
    const ours = group.find((c) => c.receiver === 'bgp2vpc');
    for (const c of group) {
      const ratio = ours && c.receiver !== 'bgp2vpc' ? `${(ours.ingestPerS / c.ingestPerS).toFixed(2)}×` : '';
      const lag = c.lagP99Ms !== undefined ? `${ms(c.lagP99Ms)} / ${ms(c.lagMaxMs)}` : '';
      out.push(
        `| ${k(c.n)} | ${c.packing === 'packed' ? 'packed' : 'one prefix each'} | ${c.receiver} | ${INCLUDES[c.receiver] ?? ''} | ` +
          `${k(c.ingestPerS)} | ${k(c.withdrawPerS)} | ${ratio} | ${mib(c.rssAfterBytes)} | ${Math.round(c.rssGrowthPerPrefix)} B | ${lag} | ${ms(c.healthzMaxMs)} |`,
      );
    }
    if (!ours) continue;
    const bird = group.find((c) => c.receiver === 'bird');
    const gobgp = group.find((c) => c.receiver === 'gobgpd');
    const what = `${k(ours.n)} ${ours.packing === 'packed' ? 'packed' : 'one prefix each'}`;
    if (bird) {
      const want = ours.packing === 'packed' ? 0.5 : 0.3;
      const r = ours.ingestPerS / bird.ingestPerS;
      const w = ours.withdrawPerS / bird.withdrawPerS;
      checks.push(
        `${what}, whole daemon vs BIRD: ingest ${r.toFixed(2)}×, withdraw ${w.toFixed(2)}× (target ≥ ${want}×): ${r >= want && w >= want ? 'met' : 'NOT met'}`,
      );
    }
    if (gobgp) checks.push(`${what}, whole daemon vs gobgpd: ${(ours.ingestPerS / gobgp.ingestPerS).toFixed(2)}×`);
    if (ours.n >= 1_000_000) {
      const g = ours.rssGrowthPerPrefix;
      checks.push(`${what}: whole-daemon RSS growth ${Math.round(g)} B/prefix (target ≤ 250): ${g <= 250 ? 'met' : 'NOT met'}`);
    }
    if (ours.lagP99Ms !== undefined && ours.lagMaxMs !== undefined) {
      const met = ours.lagP99Ms <= 50 && ours.lagMaxMs <= 200 && (ours.healthzMaxMs ?? Infinity) <= 100;
      checks.push(
        `${what}: event loop p99 ${ms(ours.lagP99Ms)}, max ${ms(ours.lagMaxMs)}, /healthz max ${ms(ours.healthzMaxMs)} ` +
          `(targets ≤ 50 ms, ≤ 200 ms, ≤ 100 ms): ${met ? 'met' : 'NOT met'}`,
      );
    }
  }
  if (meta.idle) {
    const i = meta.idle;
    checks.push(
      `bgp2vpc idle (started, session up, no route): RSS ${mib(i.rss)} = V8 heap ${mib(i.heapTotal)} (${mib(i.heapUsed)} used) + ` +
        `external ${mib(i.external)} + code, stacks and the rest ${mib(Math.max(0, i.rss - i.heapTotal - i.external))}`,
    );
  }
  if (checks.length > 0) {
    out.push('');
    for (const c of checks) out.push(`- ${c}`);
  }
  return out.join('\n');
}
