// Markdown table of the ingest benchmark: prefixes/s (median), bgp2vpc's ratio to each receiver in the same
// run, RSS, and the targets checked.

export interface Cell {
  readonly receiver: string;
  readonly n: number;
  readonly packing: 'packed' | 'single';
  readonly ingestPerS: number;
  readonly withdrawPerS: number;
  readonly rssAfterBytes: number;
  readonly rssGrowthPerPrefix: number;
  readonly runs: number;
}

export interface ReportMeta {
  readonly command: string;
  readonly date: string;
  readonly machine: string;
  readonly pollMs: number;
}

const k = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${Math.round(x / 1000)}k`);
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;

export function renderReport(cells: readonly Cell[], meta: ReportMeta): string {
  const out: string[] = [];
  out.push(`Command: \`${meta.command}\` — ${meta.date} — ${meta.machine}; counters polled every ${meta.pollMs} ms.`);
  out.push('');
  out.push(
    '| N | UPDATEs | receiver | ingest (prefixes/s) | withdraw (prefixes/s) | bgp2vpc ÷ this (ingest) | RSS after ingest | RSS growth / prefix |',
  );
  out.push('|---|---|---|---|---|---|---|---|');
  const groups = new Map<string, Cell[]>();
  for (const c of cells) groups.set(`${c.n}/${c.packing}`, [...(groups.get(`${c.n}/${c.packing}`) ?? []), c]);
  const checks: string[] = [];
  for (const group of groups.values()) {
    const ours = group.find((c) => c.receiver === 'bgp2vpc');
    for (const c of group) {
      const ratio = ours && c.receiver !== 'bgp2vpc' ? `${(ours.ingestPerS / c.ingestPerS).toFixed(2)}×` : '';
      out.push(
        `| ${k(c.n)} | ${c.packing === 'packed' ? 'packed' : 'one prefix each'} | ${c.receiver} | ${k(c.ingestPerS)} | ${k(c.withdrawPerS)} | ${ratio} | ${mib(c.rssAfterBytes)} | ${Math.round(c.rssGrowthPerPrefix)} B |`,
      );
    }
    if (ours && group[0]?.n === 100_000 && group[0].packing === 'packed') {
      const gobgp = group.find((c) => c.receiver === 'gobgpd');
      const bird = group.find((c) => c.receiver === 'bird');
      if (gobgp) {
        const r = ours.ingestPerS / gobgp.ingestPerS;
        checks.push(`100k packed vs gobgpd: ${r.toFixed(2)}× (target ≥ 5×): ${r >= 5 ? 'met' : 'NOT met'}`);
      }
      if (bird) {
        const r = ours.ingestPerS / bird.ingestPerS;
        checks.push(`100k packed vs BIRD: ${r.toFixed(2)}× (target ≥ 0.5×): ${r >= 0.5 ? 'met' : 'NOT met'}`);
      }
    }
    if (ours && group[0]?.n === 1_000_000) {
      const g = ours.rssGrowthPerPrefix;
      checks.push(`1M ${ours.packing}: RSS growth ${Math.round(g)} B/prefix (target ≤ 250): ${g <= 250 ? 'met' : 'NOT met'}`);
    }
  }
  if (checks.length > 0) {
    out.push('');
    for (const c of checks) out.push(`- ${c}`);
  }
  return out.join('\n');
}
