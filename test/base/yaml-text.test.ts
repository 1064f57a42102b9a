// Positions, duplicate keys, nesting and aliases of YAML (and JSON) text, as the config and the route spec read it.
import { describe, expect, it } from 'vitest';
import { isMap, isScalar } from 'yaml';
import { MAX_DEPTH, parseYamlText } from '../../src/base/yaml-text.js';

describe('parseYamlText', () => {
  it('gives the 1-based line and column of every node', () => {
    const y = parseYamlText('{\n "k": [true, null]\n}');
    expect(y.issues).toEqual([]);
    const root = y.doc?.contents;
    expect(isMap(root)).toBe(true);
    if (!isMap(root)) return;
    const pair = root.items[0];
    expect(y.pos(pair?.key as never)).toEqual({ line: 2, col: 2 });
    expect(y.pos(pair?.value as never)).toEqual({ line: 2, col: 7 });
  });

  it('reports a duplicate key at the second one, naming the first line, in block and flow style', () => {
    expect(parseYamlText('a: 1\nb: 2\na: 3\n').issues).toEqual([{ line: 3, col: 1, message: 'duplicate key "a" (first at line 1)' }]);
    expect(parseYamlText('{"a":1,\n"a":2}').issues).toEqual([{ line: 2, col: 1, message: 'duplicate key "a" (first at line 1)' }]);
  });

  it('checks many keys in linear time (the package check is quadratic)', () => {
    const n = 200_000;
    const text = Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join('\n') + '\nk7: dup\n';
    const y = parseYamlText(text);
    expect(y.issues).toEqual([{ line: n + 1, col: 1, message: 'duplicate key "k7" (first at line 8)' }]);
  });

  it(`refuses nesting deeper than ${MAX_DEPTH} brackets before the recursive composer sees it`, () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(parseYamlText(deep).issues).toEqual([{ line: 1, col: MAX_DEPTH + 1, message: `nesting deeper than ${MAX_DEPTH} levels` }]);
    // Brackets inside quotes and comments do not count.
    const quoted = parseYamlText(`a: "${'['.repeat(200)}"\nb: '${'{'.repeat(200)}'  # ${'['.repeat(200)}\n`);
    expect(quoted.issues).toEqual([]);
  });

  it('refuses aliases unless allowed, and reports syntax errors with their position', () => {
    const text = 'a: &x [1, 2]\nb: *x\n';
    expect(parseYamlText(text).issues).toEqual([{ line: 2, col: 4, message: 'aliases (*x) are not allowed' }]);
    expect(parseYamlText(text, { allowAliases: true }).issues).toEqual([]);
    const bad = parseYamlText('a: [1, 2\nb: 3\n');
    expect(bad.issues.length).toBeGreaterThan(0);
    expect(bad.issues[0]?.line).toBeGreaterThanOrEqual(1);
  });

  it('keeps scalars as written for the caller to check', () => {
    const root = parseYamlText('"10.0.0.0/16": [10.0.0.1, 7]').doc?.contents;
    expect(isMap(root) && root.items[0]?.value && isScalar((root.items[0].value as { items: unknown[] }).items[1])).toBe(true);
  });
});
