import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ipv4PathTable } from '../../../src/bgp/session/ipv4-path-table.js';

describe('Ipv4PathTable', () => {
  it('set/get/delete with signed and unsigned addresses, lengths as part of the key', () => {
    const t = new Ipv4PathTable();
    expect(t.set(0xffffffff, 32, 7)).toBe(-1);
    expect(t.get(-1, 32)).toBe(7); // same address, signed form
    expect(t.get(0xffffffff, 31)).toBe(-1);
    expect(t.set(0xffffffff, 32, 8)).toBe(7);
    expect(t.set(0, 0, 1)).toBe(-1);
    expect(t.size).toBe(2);
    expect(t.delete(0xffffffff, 32)).toBe(8);
    expect(t.delete(0xffffffff, 32)).toBe(-1);
    expect(t.get(0, 0)).toBe(1);
    const seen: [number, number, number][] = [];
    t.forEach((a, l, v) => seen.push([a, l, v]));
    expect(seen).toEqual([[0, 0, 1]]);
  });

  it('grows to a million sequential /32s and shrinks back after withdrawing them', () => {
    const t = new Ipv4PathTable();
    const base = 10 << 24;
    for (let i = 0; i < 1_000_000; i++) t.set(base + i, 32, i & 1023);
    expect(t.size).toBe(1_000_000);
    expect(t.capacity).toBe(1 << 21); // load factor ≤ 1/2
    for (let i = 0; i < 1_000_000; i += 99_991) expect(t.get(base + i, 32)).toBe(i & 1023);
    let wrong = 0;
    for (let i = 0; i < 1_000_000; i++) if (t.delete(base + i, 32) !== (i & 1023)) wrong++;
    expect(wrong).toBe(0);
    expect(t.size).toBe(0);
    expect(t.capacity).toBeLessThanOrEqual(1024);
  });

  it('behaves like a Map under random operations (collisions, tombstones, rehashes)', () => {
    const key = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 32 }));
    const op = fc.tuple(fc.constantFrom('set', 'set', 'del', 'get'), key, fc.integer({ min: 0, max: 1000 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const t = new Ipv4PathTable();
        const m = new Map<string, number>();
        for (const [kind, [a, l], v] of ops) {
          const addr = (a * 2654435761) >>> 0; // spread over the address space, some share hash slots
          const k = `${addr}/${l}`;
          if (kind === 'set') {
            expect(t.set(addr, l, v)).toBe(m.get(k) ?? -1);
            m.set(k, v);
          } else if (kind === 'del') {
            expect(t.delete(addr, l)).toBe(m.get(k) ?? -1);
            m.delete(k);
          } else {
            expect(t.get(addr, l)).toBe(m.get(k) ?? -1);
          }
          expect(t.size).toBe(m.size);
        }
        const all = new Map<string, number>();
        t.forEach((a, l, v) => all.set(`${a}/${l}`, v));
        expect(all).toEqual(m);
      }),
      { numRuns: 200 },
    );
  });
});
