import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { RouteSpec } from '../../src/rib/route-spec.js';
import { createRouteSpecHandler } from '../../src/api/route-spec-endpoint.js';
import { ImportPolicy } from '../../src/policy/import-policy.js';

function setup() {
  const rs = new RouteSpec({
    clock: new FakeClock(),
    rank: { holdDownMs: 0, alwaysCompareMed: false },
    whenNoneEligible: 'keep-last',
    policy: new ImportPolicy({ clusterCidrs: ['10.55.0.0/16', '10.66.0.0/16'] }),
  });
  return { rs, handle: createRouteSpecHandler(rs) };
}

describe('POST/GET /route_spec handler', () => {
  it('accepts a vpc-router body and returns it on GET', () => {
    const { rs, handle } = setup();
    const body = '{"10.55.0.0/16" : [ "10.33.20.142" ], "10.66.17.0/24" : [ "10.33.20.93", "10.33.30.22" ]}';
    expect(handle('POST', body, 'application/json')).toEqual({ status: 200, json: { status: 'ok', prefixes: 2, rejected: [] } });
    expect(handle('GET', '')).toEqual({
      status: 200,
      json: { '10.55.0.0/16': ['10.33.20.142'], '10.66.17.0/24': ['10.33.20.93', '10.33.30.22'] },
    });
    expect(
      rs
        .chosen()
        .map((r) => r.nextHop)
        .sort(),
    ).toEqual(['10.33.20.142', '10.33.20.93']);
    // A new POST replaces the HTTP source.
    expect(handle('POST', '{}', 'application/x-www-form-urlencoded').status).toBe(200);
    expect(handle('GET', '').json).toEqual({});
  });

  it.each([
    ['not json', 'must be a JSON object mapping CIDR → list of host addresses, got string'],
    ['{"10.55.0.0/16": ["10.0.0.1"]', 'invalid JSON: Flow map must end with a }'],
    ['{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), 'invalid JSON: nesting deeper than 64 levels'],
    ['{"10.55.0.0/160": []}', 'bad CIDR'],
    ['{"10.55.0.0/16": "10.0.0.1"}', 'must be a list of IP addresses, got string'],
    ['{"10.55.0.0/16": [null]}', 'must be an IP address string, got null'],
    ['["10.55.0.0/16"]', 'must be a JSON object'],
  ])('400 for %j', (body, reason) => {
    const { handle } = setup();
    const r = handle('POST', body, 'application/json');
    expect(r.status).toBe(400);
    expect((r.json as { error: string }).error).toContain(reason);
    expect((r.json as { error: string }).error).toMatch(/^body:\d+:\d+: /);
  });

  it('keeps the previous spec after a bad POST', () => {
    const { handle } = setup();
    handle('POST', '{"10.55.0.0/16": ["10.0.0.1"]}');
    handle('POST', '{"10.55.0.0/16": 5}');
    expect(handle('GET', '').json).toEqual({ '10.55.0.0/16': ['10.0.0.1'] });
  });

  it('reports entries the import policy refused', () => {
    const { handle } = setup();
    const r = handle('POST', '{"10.99.0.0/16": ["10.0.0.1"]}');
    expect(r.status).toBe(200);
    expect((r.json as { rejected: { reason: string }[] }).rejected[0]?.reason).toContain('outside the allowed prefixes');
  });

  it('415 for other content types, 405 for other methods', () => {
    const { handle } = setup();
    expect(handle('POST', '{}', 'application/xml').status).toBe(415);
    expect(handle('DELETE', '')).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD, POST, PUT' } });
  });
});
