// The emulator's Service Quotas endpoint through the unmodified @aws-sdk/client-service-quotas (AWS JSON 1.1).
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../src/sim/ec2/emulator.js';

let emu: Emulator | undefined;
let sq: ServiceQuotasClient | undefined;
afterEach(async () => {
  sq?.destroy();
  await emu?.stop();
  emu = undefined;
});

async function setup(routeLimit?: number): Promise<{ emu: Emulator; sq: ServiceQuotasClient }> {
  emu = await startEmulator({ port: 0, ...(routeLimit !== undefined ? { routeLimit } : {}) });
  sq = new ServiceQuotasClient({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
  return { emu, sq };
}

const routesQuota = new GetServiceQuotaCommand({ ServiceCode: 'vpc', QuotaCode: 'L-93826ACB' });

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('emulator: Service Quotas GetServiceQuota', () => {
  it('answers "Routes per route table" with the route limit: 500 by default, then what it is set to', async () => {
    const { emu, sq } = await setup();
    const out = await sq.send(routesQuota);
    expect(out.Quota).toMatchObject({
      ServiceCode: 'vpc',
      QuotaCode: 'L-93826ACB',
      QuotaName: 'Routes per route table',
      Value: 500,
      Adjustable: true,
      QuotaArn: 'arn:aws:servicequotas:us-east-1:123456789012:vpc/L-93826ACB',
    });
    emu.model.routeLimit = 1000;
    expect((await sq.send(routesQuota)).Quota?.Value).toBe(1000);
    expect(emu.calls.map((c) => [c.action, c.outcome, c.mutating, c.params])).toEqual([
      ['GetServiceQuota', 'ok', false, { ServiceCode: 'vpc', QuotaCode: 'L-93826ACB' }],
      ['GetServiceQuota', 'ok', false, { ServiceCode: 'vpc', QuotaCode: 'L-93826ACB' }],
    ]);
  });

  it('a limit given at start is the quota', async () => {
    const { sq } = await setup(50);
    expect((await sq.send(routesQuota)).Quota?.Value).toBe(50);
  });

  it('denied: AccessDeniedException; unknown quota: NoSuchResourceException; throttled: TooManyRequestsException', async () => {
    const { emu, sq } = await setup();
    emu.faults.deny(['GetServiceQuota']);
    expect(await errorOf(sq.send(routesQuota))).toEqual({ name: 'AccessDeniedException', status: 400 });
    emu.faults.clear();
    expect(await errorOf(sq.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-0263D0A3' })))).toEqual({
      name: 'NoSuchResourceException',
      status: 400,
    });
    emu.faults.throttle({ describe: { burst: 1, perSecond: 0.001 } });
    await sq.send(routesQuota);
    expect(await errorOf(sq.send(routesQuota))).toEqual({ name: 'TooManyRequestsException', status: 400 });
    expect(emu.calls.map((c) => c.outcome)).toEqual(['AccessDeniedException', 'NoSuchResourceException', 'ok', 'TooManyRequestsException']);
  });
});
