import { describe, expect, it } from 'vitest';
import { classifyEc2Error } from '../../src/vpc/ec2-errors.js';
import { toActualRoute } from '../../src/vpc/ec2-routes.js';

const sdkError = (name: string, status: number): Error =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe('classifyEc2Error', () => {
  it.each([
    ['RequestLimitExceeded', 503, 'CreateRoute', 'throttle'],
    ['RouteAlreadyExists', 400, 'CreateRoute', 'conflict'],
    ['InvalidRoute.NotFound', 400, 'DeleteRoute', 'conflict'],
    ['InvalidParameterValue', 400, 'ReplaceRoute', 'conflict'],
    ['InvalidParameterValue', 400, 'CreateRoute', 'operator'],
    ['UnauthorizedOperation', 403, 'CreateRoute', 'operator'],
    ['RouteLimitExceeded', 400, 'CreateRoute', 'operator'],
    ['InvalidNetworkInterfaceID.NotFound', 400, 'CreateRoute', 'target-gone'],
    ['InvalidRouteTableID.NotFound', 400, 'CreateRoute', 'table-gone'],
    ['InternalError', 500, 'CreateRoute', 'transient'],
    ['SomethingNew', 502, 'CreateRoute', 'transient'],
    ['SomethingNew', 400, 'CreateRoute', 'other'],
  ])('%s (HTTP %i) from %s is %s', (name, status, action, cls) => {
    expect(classifyEc2Error(sdkError(name, status), action)).toBe(cls);
  });

  it('treats connection errors and timeouts as transient', () => {
    expect(
      classifyEc2Error(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'DescribeRouteTables'),
    ).toBe('transient');
    expect(classifyEc2Error(Object.assign(new Error('aborted'), { name: 'AbortError' }), 'CreateRoute')).toBe('transient');
    expect(classifyEc2Error(new Error('socket hang up'), 'CreateRoute')).toBe('transient');
  });
});

describe('toActualRoute', () => {
  it('maps SDK routes, keeping both IDs of an ENI attached to an instance', () => {
    expect(
      toActualRoute({
        DestinationCidrBlock: '10.200.1.0/24',
        NetworkInterfaceId: 'eni-1',
        InstanceId: 'i-1',
        State: 'blackhole',
        Origin: 'CreateRoute',
      }),
    ).toEqual({
      destination: { family: 'ipv4', addr: 0x0ac80100n, len: 24 },
      destinationText: '10.200.1.0/24',
      target: { kind: 'eni', networkInterfaceId: 'eni-1', instanceId: 'i-1' },
      state: 'blackhole',
      origin: 'CreateRoute',
    });
    expect(
      toActualRoute({ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' }).target,
    ).toEqual({ kind: 'local' });
    expect(toActualRoute({ DestinationIpv6CidrBlock: '::/0', GatewayId: 'igw-9' }).target).toEqual({
      kind: 'internet-gateway',
      id: 'igw-9',
    });
    expect(toActualRoute({ DestinationPrefixListId: 'pl-1', NatGatewayId: 'nat-1' }).destination).toBeUndefined();
  });
});
