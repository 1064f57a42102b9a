// Config `ha` → the lease backend and the elector's options. The one place that reads the TLS files, resolves
// the identity (the hostname by default) and loads the Kubernetes client. A backend that cannot be built (a
// missing file, no cluster configuration) is the operator's to fix: a one-line UserError at startup.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Config } from '../config/index.js';
import type { Clock } from '../base/clock.js';
import { UserError, errorMessage } from '../base/errors.js';
import type { LeaseBackend } from '../ha/backend.js';
import { EtcdClient, type EtcdTls } from '../ha/etcd/etcd-client.js';
import { EtcdBackend } from '../ha/etcd/etcd-backend.js';
import { createKubernetesBackend } from '../ha/kubernetes/lease-backend.js';

/** This replica's name in the election. */
export function haIdentity(config: Config): string {
  return config.ha.identity ?? hostname();
}

/** The etcd leader key of this cluster. */
export function etcdLeaderKey(config: Config): string {
  const prefix = config.ha.etcd.keyPrefix.endsWith('/') ? config.ha.etcd.keyPrefix : `${config.ha.etcd.keyPrefix}/`;
  return `${prefix}${config.cluster.name}/leader`;
}

function readPem(what: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError('HA_TLS_FILE', `ha.etcd.tls.${what} ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The lease backend the config names, or undefined for `backend: none`. */
export async function createHaBackend(config: Config, clock: Clock): Promise<LeaseBackend | undefined> {
  const ha = config.ha;
  const identity = haIdentity(config);
  const ttlSeconds = ha.leaseTtl / 1000;
  switch (ha.backend) {
    case 'none':
      return undefined;
    case 'etcd': {
      const t = ha.etcd.tls;
      const ca = readPem('ca', t?.ca);
      const cert = readPem('cert', t?.cert);
      const key = readPem('key', t?.key);
      const tls: EtcdTls = {
        ...(ca !== undefined ? { ca } : {}),
        ...(cert !== undefined ? { cert } : {}),
        ...(key !== undefined ? { key } : {}),
      };
      const client = new EtcdClient({ endpoints: ha.etcd.endpoints, tls });
      return new EtcdBackend({ client, key: etcdLeaderKey(config), identity, ttlSeconds });
    }
    case 'kubernetes':
      try {
        return await createKubernetesBackend({
          ...(ha.kubernetes.namespace !== undefined ? { namespace: ha.kubernetes.namespace } : {}),
          leaseName: ha.kubernetes.leaseName,
          identity,
          ttlSeconds,
          pollMs: Math.max(100, Math.floor(ha.leaseTtl / 6)),
          ...(ha.kubernetes.kubeconfig !== undefined ? { kubeconfig: ha.kubernetes.kubeconfig } : {}),
          clock,
        });
      } catch (err) {
        throw new UserError('HA_KUBERNETES_CONFIG', `ha.kubernetes: ${errorMessage(err)}`, { cause: err });
      }
    default: {
      const never: never = ha.backend;
      return never;
    }
  }
}
