// A whole daemon in this process: assemble the parts, open the API (so /healthz answers during startup), start the
// lifecycle. Used by `bgp2vpc run` and, in-process, by the demo.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Config } from '../config/index.js';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import { Metrics } from '../base/metrics.js';
import { UserError, errorMessage } from '../base/errors.js';
import { startApiServer, ApiListenError, type ApiServer } from '../api/server.js';
import { checkIcmpCapability } from '../health/icmp.js';
import { assemble, ec2ClientFor, requireRegion, type Assembled } from './assemble.js';
import { apiAuth, apiListen, isLoopbackHost } from './wiring.js';
import { requireSocketOptions } from './socket-options.js';
import { createHaBackend } from './ha-wiring.js';
import { systemClock } from '../base/clock.js';

export interface RunningDaemon {
  readonly parts: Assembled;
  readonly api: ApiServer;
  readonly metrics: Metrics;
  stop(): Promise<void>;
}

export interface RunDaemonOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly ec2?: EC2Client;
  readonly metrics?: Metrics;
}

/** Profiles in use: the default one and every one a peer group names. */
export function usesIcmpProbes(config: Config): boolean {
  const used = new Set([
    config.health.defaultProfile,
    ...Object.values(config.bgp.groups).map((g) => g.health ?? config.health.defaultProfile),
  ]);
  return [...used].some((name) => config.health.profiles[name]?.type === 'icmp');
}

export async function runDaemon(config: Config, opts: RunDaemonOptions): Promise<RunningDaemon> {
  // An ICMP profile without the means to ping would mark every host down: refuse to start, naming the fix.
  if (usesIcmpProbes(config)) await checkIcmpCapability();
  // TCP-MD5 or BFD on a system that cannot set their socket options: refuse in one line rather than run unsigned.
  requireSocketOptions(config);
  if (!opts.ec2) {
    const probe = ec2ClientFor(config);
    try {
      await requireRegion(probe);
    } finally {
      probe.destroy();
    }
  }
  const metrics = opts.metrics ?? new Metrics({ defaultMetrics: true });
  const haBackend = await createHaBackend(config, opts.clock ?? systemClock);
  const parts = assemble(config, {
    logger: opts.logger,
    metrics,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.ec2 ? { ec2: opts.ec2 } : {}),
    ...(haBackend ? { haBackend } : {}),
  });
  const listen = apiListen(config);
  let api: ApiServer;
  try {
    api = await startApiServer({
      host: listen.host,
      port: listen.port,
      backend: parts.backend,
      logger: opts.logger,
      maxBodyBytes: config.api.maxBodyBytes,
      auth: apiAuth(config),
    });
  } catch (err) {
    if (err instanceof ApiListenError)
      throw new UserError('API_LISTEN_FAILED', `api.listen ${config.api.listen}: ${errorMessage(err.cause)}`, { cause: err });
    throw err;
  }
  if (!isLoopbackHost(listen.host) && config.api.token === undefined) {
    opts.logger.warn(
      { event: 'api_unprotected', listen: config.api.listen },
      `the API listens on ${config.api.listen} without api.token: anyone who reaches it can read routes and POST route specs`,
    );
  }
  try {
    await parts.daemon.start();
  } catch (err) {
    await parts.daemon.stop().catch(() => undefined);
    await api.close();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    parts,
    api,
    metrics,
    stop: () => {
      stopping ??= (async () => {
        await parts.daemon.stop();
        await api.close();
      })();
      return stopping;
    },
  };
}
