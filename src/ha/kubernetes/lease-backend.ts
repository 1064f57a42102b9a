// The leader lease as a coordination.k8s.io/v1 Lease, through @kubernetes/client-node 1.x (loaded only when this
// backend is configured: it brings about 70 packages). client-go's semantics (lease-decision.ts):
//   acquire  GET the Lease; absent: create it (409 AlreadyExists: another replica won); held and not expired on
//            our clock: wait; released or expired: replace it with the resourceVersion we read (409: lost).
//   renew    replace our last written object with a new renewTime (409 or 404: someone else wrote or deleted it).
//   wait     the next poll, after `pollMs` (the Lease API has no cheap watch for one object worth its complexity).
//   release  replace with holderIdentity "" and leaseDurationSeconds 1, as client-go's ReleaseOnCancel.
// Every request carries the elector's AbortSignal, so a hung API server cannot hold the loop.
// Facts of client-node 1.4 this relies on (docs/ha.md): calls take one object parameter; an error answer is an
// ApiException whose `code` is the HTTP status; MicroTime fields go out as V1MicroTime (six fraction digits) and
// come back as strings; http:// servers need skipTLSVerify in the kubeconfig.
import { readFileSync } from 'node:fs';
import type * as K8sModule from '@kubernetes/client-node';
import type { RequestContext, ResponseContext, V1Lease, V1LeaseSpec } from '@kubernetes/client-node';
import type { Clock } from '../../base/clock.js';
import type { AcquireResult, LeaseBackend, RenewResult } from '../backend.js';
import { decide, observe, type LeaseRecord, type Observed } from './lease-decision.js';

type K8s = typeof K8sModule;
type LeaseApi = InstanceType<K8s['CoordinationV1Api']>;

export interface KubernetesBackendOptions {
  /** Default: the pod's namespace (service account), else the kubeconfig context's, else "default". */
  readonly namespace?: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly ttlSeconds: number;
  /** Follower poll period. */
  readonly pollMs: number;
  /** A kubeconfig file; default: $KUBECONFIG, ~/.kube/config, or the pod's service account (in cluster). */
  readonly kubeconfig?: string;
  readonly clock: Clock;
  readonly wallNow?: () => number;
}

/** The namespace of the pod's service account, when running in a cluster. */
const IN_CLUSTER_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** Loads client-node and the cluster configuration (throws when it cannot be read), and builds the backend. */
export async function createKubernetesBackend(o: KubernetesBackendOptions): Promise<KubernetesLeaseBackend> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (o.kubeconfig !== undefined) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no Kubernetes cluster configured (no service account, $KUBECONFIG or ~/.kube/config)');
  let inCluster: string | undefined;
  try {
    inCluster = readFileSync(IN_CLUSTER_NAMESPACE_FILE, 'utf8').trim() || undefined;
  } catch {
    // not in a pod
  }
  const namespace = o.namespace ?? inCluster ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  return new KubernetesLeaseBackend(k8s, kc.makeApiClient(k8s.CoordinationV1Api), { ...o, namespace });
}

export class KubernetesLeaseBackend implements LeaseBackend {
  readonly name = 'kubernetes';
  readonly where: string;
  private observed: Observed | undefined;
  /** The Lease as we last wrote it, while we hold it. */
  private mine: V1Lease | undefined;
  private readonly wall: () => number;

  constructor(
    private readonly k8s: K8s,
    private readonly api: LeaseApi,
    private readonly o: KubernetesBackendOptions & { readonly namespace: string },
  ) {
    this.where = `${o.namespace}/${o.leaseName}`;
    this.wall = o.wallNow ?? Date.now;
  }

  async acquire(signal: AbortSignal): Promise<AcquireResult> {
    const { namespace, leaseName: name } = this.o;
    let cur: V1Lease | undefined;
    try {
      cur = await this.api.readNamespacedLease({ name, namespace }, this.options(signal));
    } catch (err) {
      if (this.status(err) !== 404) throw err;
    }
    if (!cur) {
      try {
        const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: this.spec(0) };
        this.mine = await this.api.createNamespacedLease({ namespace, body }, this.options(signal));
        return this.acquired(0);
      } catch (err) {
        if (this.status(err) === 409) return { kind: 'held', holder: null }; // created by another replica meanwhile
        throw err;
      }
    }
    const spec = cur.spec ?? {};
    const record: LeaseRecord = {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      leaseTransitions: spec.leaseTransitions ?? 0,
    };
    this.observed = observe(this.observed, cur.metadata?.resourceVersion ?? '', record, this.o.clock.now());
    const d = decide(this.observed, this.o.clock.now());
    if (d.kind === 'wait') return { kind: 'held', holder: d.holder };
    try {
      // cur carries the resourceVersion we read: a write by anyone since makes this a 409
      this.mine = await this.api.replaceNamespacedLease(
        { name, namespace, body: { ...cur, spec: this.spec(d.transitions) } },
        this.options(signal),
      );
      return this.acquired(d.transitions);
    } catch (err) {
      if (this.status(err) === 409) return { kind: 'held', holder: null };
      throw err;
    }
  }

  async renew(signal: AbortSignal): Promise<RenewResult> {
    const mine = this.mine;
    if (!mine) return { kind: 'lost', reason: 'no lease' };
    const body: V1Lease = { ...mine, spec: { ...mine.spec, renewTime: new this.k8s.V1MicroTime(this.wall()) } };
    try {
      this.mine = await this.api.replaceNamespacedLease(
        { name: this.o.leaseName, namespace: this.o.namespace, body },
        this.options(signal),
      );
      return { kind: 'renewed', ttlMs: this.o.ttlSeconds * 1000 };
    } catch (err) {
      const s = this.status(err);
      if (s === 409 || s === 404) {
        this.mine = undefined;
        return { kind: 'lost', reason: s === 409 ? 'the Lease was written by someone else' : 'the Lease was deleted' };
      }
      throw err;
    }
  }

  waitForChange(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = this.o.clock.setTimeout(resolve, this.o.pollMs);
      signal.addEventListener(
        'abort',
        () => {
          timer.cancel();
          resolve();
        },
        { once: true },
      );
    });
  }

  async release(signal: AbortSignal): Promise<void> {
    const mine = this.mine;
    this.mine = undefined;
    if (!mine) return;
    const now = new this.k8s.V1MicroTime(this.wall());
    const body: V1Lease = {
      ...mine,
      spec: { ...mine.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
    };
    try {
      await this.api.replaceNamespacedLease({ name: this.o.leaseName, namespace: this.o.namespace, body }, this.options(signal));
    } catch {
      // best effort (a 409: someone else holds it already)
    }
  }

  private acquired(transitions: number): AcquireResult {
    this.observed = undefined;
    return { kind: 'acquired', token: String(transitions), ttlMs: this.o.ttlSeconds * 1000 };
  }

  /** The spec of a newly acquired lease. */
  private spec(transitions: number): V1LeaseSpec {
    const now = new this.k8s.V1MicroTime(this.wall());
    return {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.o.ttlSeconds,
      leaseTransitions: transitions,
      acquireTime: now,
      renewTime: now,
    };
  }

  /** The HTTP status of an API error, undefined for a transport failure. */
  private status(err: unknown): number | undefined {
    return err instanceof this.k8s.ApiException ? err.code : undefined;
  }

  /** Request options that put the elector's signal on the request (client-node's observable middleware). */
  private options(signal: AbortSignal) {
    const { Observable } = this.k8s;
    return {
      middleware: [
        {
          pre: (ctx: RequestContext) => {
            ctx.setSignal(signal);
            return new Observable(Promise.resolve(ctx));
          },
          post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
        },
      ],
      middlewareMergeStrategy: 'append' as const,
    };
  }
}
