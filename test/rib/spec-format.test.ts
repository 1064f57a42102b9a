import { describe, expect, it } from 'vitest';
import { formatRouteSpec, parseRouteSpec, RouteSpecFormatError } from '../../src/rib/spec-format.js';
import { formatPrefix } from '../../src/net/prefix.js';

function err(text: string): RouteSpecFormatError {
  try {
    parseRouteSpec(text, 'spec.json');
  } catch (e) {
    if (e instanceof RouteSpecFormatError) return e;
    throw e;
  }
  throw new Error('expected a RouteSpecFormatError');
}

describe('route spec format (vpc-router compatible)', () => {
  it('parses the vpc-router example, keeping host order', () => {
    const entries = parseRouteSpec('{\n  "10.55.16.0/24" : [ "10.33.20.142" ],\n  "10.66.17.0/24" : [ "10.33.20.93", "10.33.30.22" ]\n}\n');
    expect(entries.map((e) => [formatPrefix(e.prefix), e.nextHops])).toEqual([
      ['10.55.16.0/24', ['10.33.20.142']],
      ['10.66.17.0/24', ['10.33.20.93', '10.33.30.22']],
    ]);
  });

  it('canonicalises IPv6 and IPv4-mapped hosts', () => {
    const [e] = parseRouteSpec('{"2001:db8:1::/48": ["2001:DB8::0:5", "::ffff:10.0.0.5"]}');
    expect(e?.nextHops).toEqual(['2001:db8::5', '10.0.0.5']);
  });

  it.each([
    ['{\n  "10.0.0.0/16": ["10.0.0.1"]\n  "10.1.0.0/16": []\n}', 3, 3, 'invalid JSON: Missing , between flow map items'],
    ['[]', 1, 1, 'route spec must be a JSON object mapping CIDR → list of host addresses, got array'],
    ['{\n "10.0.0.1/16": []\n}', 2, 2, 'bad CIDR "10.0.0.1/16": "10.0.0.1/16" has host bits set (did you mean 10.0.0.0/16?)'],
    ['{"10.0.0.0/33": []}', 1, 2, 'bad CIDR "10.0.0.0/33": invalid prefix length in "10.0.0.0/33" (0..32)'],
    ['{"10.0.0.1": []}', 1, 2, 'bad CIDR "10.0.0.1": missing /length'],
    ['{"10.0.0.0/16": "10.0.0.1"}', 1, 17, 'hosts of 10.0.0.0/16 must be a list of IP addresses, got string'],
    ['{"10.0.0.0/16": [1]}', 1, 18, 'host of 10.0.0.0/16 must be an IP address string, got number'],
    ['{"10.0.0.0/16": ["10.0.0.256"]}', 1, 18, 'host "10.0.0.256" of 10.0.0.0/16 is not an IP address'],
    ['{"10.0.0.0/16": ["10.0.0.1", "10.0.0.1"]}', 1, 30, 'host 10.0.0.1 listed twice for 10.0.0.0/16'],
    ['{"10.0.0.0/16": [],\n"10.0.0.0/16": []}', 2, 1, 'invalid JSON: duplicate key "10.0.0.0/16" (first at line 1)'],
    ['{"10.0.0.0/16": []} x', 1, 21, 'invalid JSON: Unexpected scalar at node end'],
    ['', 1, 1, 'route spec must be a JSON object mapping CIDR → list of host addresses, got nothing'],
    ['{"a": '.repeat(100) + '1' + '}'.repeat(100), 1, 385, 'invalid JSON: nesting deeper than 64 levels'],
    ['{"10.0.0.0/16": &h ["10.0.0.1"], "10.1.0.0/16": *h}', 1, 49, 'invalid JSON: aliases (*h) are not allowed'],
  ])('rejects %j at %i:%i', (text, line, col, reason) => {
    const e = err(text);
    expect(e.code).toBe('BAD_ROUTE_SPEC');
    expect([e.line, e.col, e.reason]).toEqual([line, col, reason]);
    expect(e.message).toBe(`spec.json:${line}:${col}: ${reason}`);
  });

  it('reads JSON as YAML: a trailing comma, comments and the block style are accepted too', () => {
    const flow = parseRouteSpec('{"10.1.0.0/16": ["10.0.0.1",], # one host\n}');
    const block = parseRouteSpec('# the same\n10.1.0.0/16:\n  - 10.0.0.1\n');
    expect(formatRouteSpec(flow)).toEqual({ '10.1.0.0/16': ['10.0.0.1'] });
    expect(formatRouteSpec(block)).toEqual(formatRouteSpec(flow));
  });

  it('formats sorted by prefix, hosts in order', () => {
    const entries = parseRouteSpec('{"10.66.0.0/16": ["10.0.0.9", "10.0.0.1"], "10.55.0.0/16": []}');
    expect(formatRouteSpec(entries)).toEqual({ '10.55.0.0/16': [], '10.66.0.0/16': ['10.0.0.9', '10.0.0.1'] });
  });
});
