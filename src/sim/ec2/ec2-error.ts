// An error the emulated EC2 API returns to its caller: an EC2 error code, its message and the HTTP status.
import { Bgp2vpcError } from '../../base/errors.js';
import type { GatewayKind } from './model-types.js';

export class Ec2ApiError extends Bgp2vpcError {
  readonly httpStatus: number;
  constructor(code: string, message: string, httpStatus = 400) {
    super(code, message);
    this.httpStatus = httpStatus;
  }
}

export const notFound = (code: string, kind: string, id: string): Ec2ApiError =>
  new Ec2ApiError(code, `The ${kind} ID '${id}' does not exist`);

export const invalidValue = (message: string): Ec2ApiError => new Ec2ApiError('InvalidParameterValue', message);

export function gatewayNotFound(kind: GatewayKind, id: string): Ec2ApiError {
  switch (kind) {
    case 'internet-gateway':
      return new Ec2ApiError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`);
    case 'nat-gateway':
      return new Ec2ApiError('InvalidNatGatewayID.NotFound', `The natGateway ID '${id}' does not exist`);
    case 'vpc-peering-connection':
      return new Ec2ApiError('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${id}' does not exist`);
    case 'transit-gateway':
      return new Ec2ApiError('InvalidTransitGatewayID.NotFound', `The transitGateway ID '${id}' does not exist`);
    case 'egress-only-internet-gateway':
      return new Ec2ApiError('InvalidGatewayID.NotFound', `The eigw ID '${id}' does not exist`);
    case 'vpn-gateway':
    case 'vpc-endpoint':
      return new Ec2ApiError('InvalidGatewayID.NotFound', `The gateway ID '${id}' does not exist`);
  }
}

export function invalidIdFor(id: string): Ec2ApiError {
  const dash = id.indexOf('-');
  if (dash < 0) return new Ec2ApiError('InvalidID', `The ID '${id}' is not valid`);
  const code: Record<string, string> = {
    vpc: 'InvalidVpcID.NotFound',
    subnet: 'InvalidSubnetID.NotFound',
    i: 'InvalidInstanceID.NotFound',
    eni: 'InvalidNetworkInterfaceID.NotFound',
    rtb: 'InvalidRouteTableID.NotFound',
    igw: 'InvalidInternetGatewayID.NotFound',
    nat: 'InvalidNatGatewayID.NotFound',
  };
  return new Ec2ApiError(code[id.slice(0, dash)] ?? 'InvalidID', `The ID '${id}' does not exist`);
}
