// The `ha` section of the configuration: controller high availability (docs/ha.md).
import { z } from 'zod';
import { duration } from './schema-values.js';

/** Controller HA: N replicas run the whole pipeline, one elected writer (docs/ha.md). */
export const haSection = z
  .strictObject({
    /** none: a single process writes (the default); etcd or kubernetes: replicas elect one writer. */
    backend: z.enum(['none', 'etcd', 'kubernetes']).default('none'),
    /** This replica's name in the election, unique per replica; default: the hostname (the pod name). */
    identity: z.string().min(1).max(253).optional(),
    /** The leader lease's time-to-live, whole seconds (etcd's minimum is 2 s). A dead leader is replaced within about TTL + writeTimeout. */
    leaseTtl: duration({ min: 2000, max: 300_000 })
      .refine((ms) => ms % 1000 === 0, 'must be whole seconds (etcd and Kubernetes Leases count in seconds)')
      .default(3000),
    /** Per-attempt timeout of a mutating EC2 call while HA is on; a new leader waits this long before its first write. */
    writeTimeout: duration({ min: 100, max: 60_000 }).default(1500),
    etcd: z
      .strictObject({
        endpoints: z.array(z.url()).min(1).default(['http://127.0.0.1:2379']),
        /** The leader key is <keyPrefix><cluster.name>/leader. */
        keyPrefix: z.string().startsWith('/').default('/bgp2vpc/'),
        /** PEM files for https:// endpoints: the CA, and a client certificate and key (etcd --client-cert-auth). */
        tls: z.strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional() }).optional(),
      })
      .refine((e) => (e.tls?.cert === undefined) === (e.tls?.key === undefined), { message: 'tls.cert and tls.key go together', path: ['tls'] })
      .prefault({}),
    kubernetes: z
      .strictObject({
        /** Default: the pod's namespace (its service account), else the kubeconfig context's, else "default". */
        namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name').optional(),
        leaseName: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name (lower case, digits, "-", ".")')
          .max(253)
          .default('bgp2vpc-leader'),
        /** A kubeconfig file; default: in the cluster the service account, else $KUBECONFIG or ~/.kube/config. */
        kubeconfig: z.string().optional(),
      })
      .prefault({}),
  })
  .prefault({});
