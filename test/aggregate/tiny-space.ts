// A tiny address space of `bits` bits (3..5) embedded at the top of IPv4, for exhaustive oracles. Written from
// scratch for the tests: it shares no code with src/aggregate.
import type { Prefix } from '../../src/net/prefix.js';

export interface TinyPrefix {
  readonly x: number; // the prefix's `len` leading bits as a number
  readonly len: number;
}
export interface TinyRoute extends TinyPrefix {
  readonly target: string;
}
export interface TinyCase {
  readonly bits: number;
  readonly routes: readonly TinyRoute[];
  readonly cluster: readonly TinyPrefix[];
}

export const first = (p: TinyPrefix, bits: number): number => p.x << (bits - p.len);
export const last = (p: TinyPrefix, bits: number): number => ((p.x + 1) << (bits - p.len)) - 1;
export const covers = (p: TinyPrefix, a: number, bits: number): boolean => a >> (bits - p.len) === p.x;

export function allPrefixes(bits: number): TinyPrefix[] {
  const out: TinyPrefix[] = [];
  for (let len = 0; len <= bits; len++) for (let x = 0; x < 1 << len; x++) out.push({ x, len });
  return out;
}

export const DC = '<dont-care>';
export const FORBID = '<forbidden>';

/** What each address requires: a target, DC, or FORBID. */
export function requirements(c: TinyCase): string[] {
  const req: string[] = [];
  for (let a = 0; a < 1 << c.bits; a++) {
    let best: TinyRoute | undefined;
    for (const r of c.routes) if (covers(r, a, c.bits) && (!best || r.len > best.len)) best = r;
    if (best) req.push(best.target);
    else req.push(c.cluster.some((p) => covers(p, a, c.bits)) ? DC : FORBID);
  }
  return req;
}

/** Longest-prefix match of address `a` in a table; undefined when no route covers it. */
export function lookup(table: readonly TinyRoute[], a: number, bits: number): string | undefined {
  let best: TinyRoute | undefined;
  for (const r of table) if (covers(r, a, bits) && (!best || r.len > best.len)) best = r;
  return best?.target;
}

export function toPrefix(p: TinyPrefix, bits: number): Prefix {
  return { family: 'ipv4', addr: BigInt(first(p, bits)) << BigInt(32 - bits), len: p.len };
}

export function fromPrefix(p: Prefix, bits: number): TinyPrefix {
  if (p.len > bits) throw new Error(`route /${p.len} is finer than the ${bits}-bit space`);
  return { x: Number(p.addr >> BigInt(32 - p.len)), len: p.len };
}
