// Builds the EC2 client VPC sync uses (and the Service Quotas client that reads the route quota).
//
// maxAttempts: 1 — the SDK's own retry strategy is switched off. Retries, backoff with jitter and the
// request budget live in Ec2Gateway, so that (a) one logical write costs exactly the calls we count and
// meter, (b) a throttle drains OUR token bucket instead of being retried blindly three times inside the SDK,
// (c) timeouts run on the injected clock. The per-request socket timeout below is only a safety net.
import { EC2Client } from '@aws-sdk/client-ec2';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';

export interface Ec2ClientOptions {
  readonly region?: string;
  /** e.g. http://127.0.0.1:5000 for the emulator. Absent: the real regional endpoint. */
  readonly endpoint?: string;
  /** Static credentials (the emulator accepts any). Absent: the SDK's default provider chain (IAM role…). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly requestTimeoutMs?: number;
}

export function createEc2Client(o: Ec2ClientOptions = {}): EC2Client {
  return new EC2Client({
    // No default: without a region the SDK's own chain (AWS_REGION, the profile) decides, and the daemon refuses to
    // start when it finds none (a silent us-east-1 would manage the wrong VPCs or none).
    ...(o.region !== undefined ? { region: o.region } : {}),
    maxAttempts: 1,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: { ...o.credentials } } : {}),
    requestHandler: { requestTimeout: o.requestTimeoutMs ?? 15_000, connectionTimeout: 5_000 },
  });
}

/** A client for the local emulator: fake credentials, us-east-1. */
export function createEmulatorEc2Client(endpoint: string): EC2Client {
  return createEc2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator' } });
}

/**
 * The Service Quotas client for `vpc.routeLimit: auto` (one GetServiceQuota at start), built like the EC2 client:
 * maxAttempts 1, the gateway retries. Its endpoint is its own (servicequotas.<region>.amazonaws.com) unless given.
 */
export function createServiceQuotasClient(o: Ec2ClientOptions = {}): ServiceQuotasClient {
  return new ServiceQuotasClient({
    ...(o.region !== undefined ? { region: o.region } : {}),
    maxAttempts: 1,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: { ...o.credentials } } : {}),
    requestHandler: { requestTimeout: o.requestTimeoutMs ?? 15_000, connectionTimeout: 5_000 },
  });
}

/** A Service Quotas client for the local emulator (the same endpoint serves both protocols). */
export function createEmulatorServiceQuotasClient(endpoint: string): ServiceQuotasClient {
  return createServiceQuotasClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator' },
  });
}
