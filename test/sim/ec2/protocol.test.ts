// Pure pieces: query parsing, XML rendering, IDs, the seeded PRNG.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandom } from '../../../src/sim/ec2/faults.js';
import { IdAllocator } from '../../../src/sim/ec2/ids.js';
import { QueryParams } from '../../../src/sim/ec2/query.js';
import { escapeXml, renderError, renderResponse } from '../../../src/sim/ec2/xml.js';

describe('QueryParams', () => {
  const q = QueryParams.parse(
    [
      'Action=DescribeRouteTables',
      'Version=2016-11-15',
      'RouteTableId.2=rtb-b', // out of order on purpose
      'RouteTableId.1=rtb-a',
      'RouteTableId.10=rtb-j',
      'Filter.1.Name=tag%3Abgp2vpc%3Acluster',
      'Filter.1.Value.1=prod',
      'Filter.1.Value.2=stag*',
      'Filter.2.Name=vpc-id',
      'Filter.2.Value.1=vpc-1',
      'TagSpecification.1.ResourceType=route-table',
      'TagSpecification.1.Tag.1.Key=a',
      'TagSpecification.1.Tag.1.Value=1',
      'TagSpecification.1.Tag.2.Key=b',
      'DryRun=true',
      'MaxResults=20',
    ].join('&'),
  );

  it('reads scalars, numeric-ordered lists, filters and tag specifications', () => {
    expect(q.action).toBe('DescribeRouteTables');
    expect(q.list('RouteTableId')).toEqual(['rtb-a', 'rtb-b', 'rtb-j']);
    expect(q.filters()).toEqual([
      { name: 'tag:bgp2vpc:cluster', values: ['prod', 'stag*'] },
      { name: 'vpc-id', values: ['vpc-1'] },
    ]);
    expect(q.tagSpecifications('route-table')).toEqual({ a: '1', b: '' });
    expect(q.bool('DryRun')).toBe(true);
    expect(q.int('MaxResults')).toBe(20);
    expect(q.str('Nope')).toBeUndefined();
  });

  it('rejects malformed scalars and wrong tag resource types with EC2 codes', () => {
    const bad = QueryParams.parse('DryRun=yes&MaxResults=ten');
    expect(() => bad.bool('DryRun')).toThrow(expect.objectContaining({ code: 'InvalidParameterValue' }) as unknown as Error);
    expect(() => bad.int('MaxResults')).toThrow(expect.objectContaining({ code: 'InvalidParameterValue' }) as unknown as Error);
    expect(() => bad.required('VpcId')).toThrow(expect.objectContaining({ code: 'MissingParameter' }) as unknown as Error);
    expect(() => q.tagSpecifications('vpc')).toThrow(expect.objectContaining({ code: 'InvalidParameterValue' }) as unknown as Error);
  });

  it('list() round-trips any list of strings through form encoding', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 15 }), (values) => {
        const body = new URLSearchParams(values.map((v, i): [string, string] => [`X.${i + 1}`, v])).toString();
        expect(QueryParams.parse(body).list('X')).toEqual(values);
      }),
    );
  });
});

describe('XML', () => {
  it('renders objects as elements, arrays as item lists, skips undefined, escapes text', () => {
    const xml = renderResponse('DescribeThings', 'req-1', {
      thingSet: [{ id: 'a&b', n: 3, ok: true, gone: undefined }, { id: '<x>' }],
      when: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeThingsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
        '<requestId>req-1</requestId>' +
        '<thingSet><item><id>a&amp;b</id><n>3</n><ok>true</ok></item><item><id>&lt;x&gt;</id></item></thingSet>' +
        '<when>2026-01-02T03:04:05.000Z</when>' +
        '</DescribeThingsResponse>',
    );
  });

  it('renders errors in the EC2 shape', () => {
    expect(renderError('RouteAlreadyExists', `it's "there"`, 'r-2')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RouteAlreadyExists</Code>' +
        '<Message>it&apos;s &quot;there&quot;</Message></Error></Errors><RequestID>r-2</RequestID></Response>',
    );
    expect(escapeXml('a<b>&"\'')).toBe('a&lt;b&gt;&amp;&quot;&apos;');
  });
});

describe('IDs', () => {
  it('look like EC2 IDs, are unique, and repeat for the same seed', () => {
    const a = new IdAllocator(7);
    const b = new IdAllocator(7);
    const c = new IdAllocator(8);
    const ida = Array.from({ length: 1000 }, () => a.next('eni'));
    expect(new Set(ida).size).toBe(1000);
    expect(ida.every((id) => /^eni-[0-9a-f]{17}$/.test(id))).toBe(true);
    expect(Array.from({ length: 1000 }, () => b.next('eni'))).toEqual(ida);
    expect(c.next('eni')).not.toBe(ida[0]);
  });

  it('never hands out a claimed ID', () => {
    const a = new IdAllocator(1);
    const probe = new IdAllocator(1);
    const first = probe.next('rtb');
    a.claim(first);
    expect(a.next('rtb')).not.toBe(first);
  });
});

describe('seededRandom', () => {
  it('is deterministic per seed and in [0, 1)', () => {
    const a = seededRandom(99);
    const b = seededRandom(99);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
