// POST /route_spec bodies through the handler (src/api/route-spec-endpoint.ts) behind strict UTF-8 decoding:
// mutated valid bodies, arbitrary JSON, deep nesting, arbitrary strings and bytes. Every body must get 200 (with a
// prefix count and the refused entries) or 400 (with a positioned reason), never a throw, and a 400 must leave
// the route spec as it was.
import fc from 'fast-check';
import { createRouteSpecHandler } from '../../src/api/route-spec-endpoint.js';
import { decodeUtf8, InvalidUtf8Error } from '../../src/base/utf8-text.js';
import { ImportPolicy } from '../../src/policy/import-policy.js';
import { RouteSpec } from '../../src/rib/route-spec.js';
import { prop, type FuzzTarget } from './target.js';
import { mutatedBytes, mutatedText } from './text-mutations.js';

const spec = new RouteSpec({
  policy: new ImportPolicy({ clusterCidrs: ['10.0.0.0/8', 'fd00::/8'] }),
  rank: { holdDownMs: 30_000, alwaysCompareMed: false },
  whenNoneEligible: 'keep-last',
});
const handle = createRouteSpecHandler(spec);

const BASES = [
  '{"10.55.0.0/16": ["10.33.20.142"], "10.66.17.0/24": ["10.33.20.93", "10.33.30.22"]}',
  '{\n  "fd00:1::/64": ["fd00::5"],\n  "10.1.0.0/16": []\n}',
  '{"0.0.0.0/0": ["8.8.8.8"], "10.9.0.0/24": ["10.0.0.1"]}',
];

function posted(body: string): boolean {
  const before = JSON.stringify(handle('GET', '').json);
  let r;
  try {
    r = handle('POST', body, 'application/json');
  } catch (e) {
    console.error('route spec: the handler threw:', e, '\nbody:', JSON.stringify(body.slice(0, 2000)));
    return false;
  }
  const j = r.json as Record<string, unknown>;
  if (r.status === 200) return j.status === 'ok' && typeof j.prefixes === 'number' && Array.isArray(j.rejected);
  if (r.status === 400) {
    const ok =
      typeof j.error === 'string' &&
      /^body:\d+:\d+: /.test(j.error) &&
      typeof j.line === 'number' &&
      typeof j.column === 'number' &&
      JSON.stringify(handle('GET', '').json) === before;
    if (!ok) console.error('route spec: bad 400:', j, '\nbody:', JSON.stringify(body.slice(0, 2000)));
    return ok;
  }
  console.error(`route spec: status ${r.status}`, j);
  return false;
}

function postedBytes(b: Buffer): boolean {
  try {
    return posted(decodeUtf8(b));
  } catch (e) {
    return e instanceof InvalidUtf8Error;
  }
}

const deep = fc
  .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('{"a":', '[', '{"10.0.0.0/8":'), fc.boolean())
  .map(([n, open, closed]) => open.repeat(n) + '1' + (closed ? (open === '[' ? ']' : '}').repeat(n) : ''));

export const routeSpecTarget: FuzzTarget = {
  name: 'route-spec',
  properties: [
    prop({ name: 'mutated bodies', weight: 5, arb: fc.constantFrom(...BASES).chain((b) => mutatedText(b)), check: posted }),
    prop({
      name: 'arbitrary JSON',
      weight: 2,
      arb: fc
        .oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.dictionary(
            fc.oneof(
              fc.ipV4().map((a) => `${a}/24`),
              fc.string(),
            ),
            fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.jsonValue()), { maxLength: 3 }),
          ),
        )
        .map((v) => JSON.stringify(v) ?? 'null'),
      check: posted,
    }),
    prop({ name: 'deep nesting', weight: 1, arb: deep, check: posted }),
    prop({ name: 'arbitrary strings', weight: 1, arb: fc.string({ maxLength: 200, unit: 'binary' }), check: posted }),
    prop({ name: 'mutated bytes (UTF-8)', weight: 1, arb: fc.constantFrom(...BASES).chain(mutatedBytes), check: postedBytes }),
  ],
};
