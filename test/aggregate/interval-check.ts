// An independent validity checker by interval arithmetic: every prefix is a closed range [start, end] of
// addresses; the breakpoints of all ranges cut the space into elementary intervals, and a sweep over them with
// a stack of open ranges (prefixes nest or are disjoint) gives the longest match in each. Shares no code with
// src/aggregate.
import type { AggRoute } from '../../src/aggregate/types.js';
import type { Family } from '../../src/net/address.js';
import type { Prefix } from '../../src/net/prefix.js';

interface Range {
  readonly start: bigint;
  readonly end: bigint;
  readonly len: number;
  readonly label: string;
}

const width = (f: Family): bigint => (f === 'ipv4' ? 32n : 128n);

function toRange(p: Prefix, label: string): Range {
  const size = 1n << (width(p.family) - BigInt(p.len));
  return { start: p.addr, end: p.addr + size - 1n, len: p.len, label };
}

/** For each elementary interval starting at points[i], the label of the longest range containing it. */
function sweep(ranges: readonly Range[], points: readonly bigint[]): (string | undefined)[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.len - b.len));
  const out: (string | undefined)[] = [];
  const stack: Range[] = [];
  let next = 0;
  for (const x of points) {
    while (stack.length > 0 && (stack[stack.length - 1] as Range).end < x) stack.pop();
    while (next < sorted.length && (sorted[next] as Range).start <= x) {
      const r = sorted[next++] as Range;
      while (stack.length > 0 && (stack[stack.length - 1] as Range).end < r.start) stack.pop();
      if (r.end >= x) stack.push(r);
    }
    out.push(stack.length > 0 ? (stack[stack.length - 1] as Range).label : undefined);
  }
  return out;
}

export interface CheckResult {
  /** Announced addresses sent to the wrong target or to no route. */
  readonly damaged: bigint;
  /** Addresses outside every cluster CIDR and every announced prefix that some route covers. */
  readonly forbiddenCovered: bigint;
  /** Routes whose prefixes repeat. */
  readonly duplicates: number;
}

export function checkTable(
  family: Family,
  input: readonly AggRoute[],
  cluster: readonly Prefix[],
  table: readonly AggRoute[],
): CheckResult {
  const inR = input.map((r) => toRange(r.prefix, r.target));
  const clR = cluster.map((p) => toRange(p, 'cluster'));
  const outR = table.map((r) => toRange(r.prefix, r.target));
  const cuts = new Set<bigint>([0n]);
  const top = 1n << width(family);
  for (const r of [...inR, ...clR, ...outR]) {
    cuts.add(r.start);
    if (r.end + 1n < top) cuts.add(r.end + 1n);
  }
  const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const need = sweep(inR, points);
  const inCluster = sweep(clR, points);
  const got = sweep(outR, points);
  let damaged = 0n;
  let forbiddenCovered = 0n;
  for (let i = 0; i < points.length; i++) {
    const size = (i + 1 < points.length ? (points[i + 1] as bigint) : top) - (points[i] as bigint);
    const n = need[i];
    if (n !== undefined) {
      if (got[i] !== n) damaged += size;
    } else if (inCluster[i] === undefined && got[i] !== undefined) forbiddenCovered += size;
  }
  const keys = new Set(table.map((r) => `${r.prefix.addr}/${r.prefix.len}`));
  return { damaged, forbiddenCovered, duplicates: table.length - keys.size };
}
