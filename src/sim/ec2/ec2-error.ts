// An error the emulated EC2 API returns to its caller: an EC2 error code, its message and the HTTP status.
import { Bgp2vpcError } from '../../errors.js';

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

export const missingParameter = (name: string): Ec2ApiError =>
  new Ec2ApiError('MissingParameter', `The request must contain the parameter ${name}`);
