import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJsonWithPositions, JsonSyntaxError, type JsonNode } from '../../src/rib/json-positions.js';

function toValue(n: JsonNode): unknown {
  switch (n.kind) {
    case 'object':
      return Object.fromEntries(n.entries.map(([k, v]) => [k.value, toValue(v)]));
    case 'array':
      return n.items.map(toValue);
    case 'null':
      return null;
    default:
      return n.value;
  }
}

describe('JSON parser with positions', () => {
  it('property: agrees with JSON.parse on every valid document (any whitespace layout)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, 2, '\t'), (v, indent) => {
        const text = JSON.stringify(v, null, indent); // never has duplicate keys
        expect(toValue(parseJsonWithPositions(text))).toEqual(JSON.parse(text));
        return true;
      }),
      { numRuns: 500 },
    );
  });

  it('property: rejects what JSON.parse rejects (random corruption of a valid document)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', 'x', '-', '\n'), (v, at, ch) => {
        const text = JSON.stringify(v, null, 1);
        const i = at % (text.length + 1);
        const bad = text.slice(0, i) + ch + text.slice(i);
        let native = true;
        try {
          JSON.parse(bad);
        } catch {
          native = false;
        }
        let ours = true;
        let duplicate = false;
        try {
          parseJsonWithPositions(bad);
        } catch (e) {
          if (!(e instanceof JsonSyntaxError)) throw e;
          ours = false;
          duplicate = e.reason.startsWith('duplicate key');
        }
        // Ours is stricter than JSON.parse only on duplicate keys.
        return ours === native || (native && duplicate);
      }),
      { numRuns: 1000 },
    );
  });

  it('reports 1-based line and column of the error', () => {
    expect(() => parseJsonWithPositions('{\n  "a": [1,\n    2,,\n  ]\n}')).toThrow('3:7: unexpected ",", expected a JSON value');
    expect(() => parseJsonWithPositions('"abc')).toThrow('1:5: unterminated string');
    expect(() => parseJsonWithPositions('{"a":1,\n"a":2}')).toThrow('2:1: duplicate key "a" (first at line 1)');
    expect(() => parseJsonWithPositions('[' .repeat(100))).toThrow(/nesting deeper than 64/);
  });

  it('keeps value positions and tolerates a BOM', () => {
    const n = parseJsonWithPositions('\uFEFF{\n "k": [true, null]\n}');
    expect(n.kind).toBe('object');
    if (n.kind !== 'object') return;
    const [key, val] = n.entries[0] ?? [];
    expect(key?.pos).toEqual({ line: 2, col: 2 });
    expect(val?.pos).toEqual({ line: 2, col: 7 });
  });
});
