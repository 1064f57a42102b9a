// The coordination.k8s.io/v1 Lease API's semantics, without HTTP: objects by namespace and name, a cluster-wide
// resourceVersion counter, optimistic concurrency (a replace carrying a stale resourceVersion is 409 Conflict),
// create of an existing object 409 AlreadyExists, and apiserver-shaped Status bodies. MicroTime fields must carry
// exactly six fraction digits, as the API server's parser (Go layout 2006-01-02T15:04:05.000000Z07:00) demands.
// What this does NOT emulate: authentication, RBAC, watches, field managers, server-side apply, admission.

export const LEASE_GROUP = 'coordination.k8s.io';

export type Json = Readonly<Record<string, unknown>>;

export interface StoreAnswer {
  readonly status: number;
  readonly body: Json;
}

const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

function statusBody(code: number, reason: string, message: string, name?: string): StoreAnswer {
  return {
    status: code,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(name !== undefined ? { details: { name, group: LEASE_GROUP, kind: 'leases' } } : {}),
      code,
    },
  };
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export class LeaseStore {
  private readonly items = new Map<string, Json>();
  private rv = 1000;
  private uid = 0;

  get(ns: string, name: string): StoreAnswer {
    const cur = this.items.get(`${ns}/${name}`);
    return cur ? { status: 200, body: cur } : this.notFound(name);
  }

  list(ns: string): StoreAnswer {
    const items = [...this.items.entries()].filter(([k]) => k.startsWith(`${ns}/`)).map(([, v]) => v);
    return {
      status: 200,
      body: { kind: 'LeaseList', apiVersion: `${LEASE_GROUP}/v1`, metadata: { resourceVersion: String(this.rv) }, items },
    };
  }

  create(ns: string, input: Json): StoreAnswer {
    const bad = this.validate(input);
    if (bad) return bad;
    const meta = obj(input.metadata);
    const name = meta.name;
    if (typeof name !== 'string' || name === '') return statusBody(422, 'Invalid', 'metadata.name: Required value');
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '')
      return statusBody(422, 'Invalid', 'metadata.resourceVersion: Invalid value: must be empty on create');
    if (this.items.has(`${ns}/${name}`)) return statusBody(409, 'AlreadyExists', `leases.${LEASE_GROUP} "${name}" already exists`, name);
    const created: Json = {
      kind: 'Lease',
      apiVersion: `${LEASE_GROUP}/v1`,
      metadata: { ...meta, namespace: ns, uid: `lease-${++this.uid}`, resourceVersion: String(++this.rv) },
      spec: obj(input.spec),
    };
    this.items.set(`${ns}/${name}`, created);
    return { status: 201, body: created };
  }

  /** PUT: a resourceVersion must match the stored one (none given: unconditional, as the Lease strategy allows). */
  replace(ns: string, name: string, input: Json): StoreAnswer {
    const bad = this.validate(input);
    if (bad) return bad;
    const meta = obj(input.metadata);
    if (meta.name !== name) return statusBody(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    const cur = this.items.get(`${ns}/${name}`);
    if (!cur) return this.notFound(name); // no create on update for Leases
    const want = meta.resourceVersion;
    const curMeta = obj(cur.metadata);
    if (want !== undefined && want !== '' && want !== curMeta.resourceVersion)
      return statusBody(
        409,
        'Conflict',
        `Operation cannot be fulfilled on leases.${LEASE_GROUP} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        name,
      );
    const updated: Json = {
      kind: 'Lease',
      apiVersion: `${LEASE_GROUP}/v1`,
      metadata: { ...curMeta, resourceVersion: String(++this.rv) },
      spec: obj(input.spec),
    };
    this.items.set(`${ns}/${name}`, updated);
    return { status: 200, body: updated };
  }

  delete(ns: string, name: string): StoreAnswer {
    const cur = this.items.get(`${ns}/${name}`);
    if (!cur) return this.notFound(name);
    this.items.delete(`${ns}/${name}`);
    return {
      status: 200,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: LEASE_GROUP, kind: 'leases' } },
    };
  }

  /** The stored spec of a Lease (tests). */
  spec(ns: string, name: string): Json | undefined {
    const cur = this.items.get(`${ns}/${name}`);
    return cur ? obj(cur.spec) : undefined;
  }

  private notFound(name: string): StoreAnswer {
    return statusBody(404, 'NotFound', `leases.${LEASE_GROUP} "${name}" not found`, name);
  }

  private validate(input: Json): StoreAnswer | undefined {
    const spec = obj(input.spec);
    for (const f of ['acquireTime', 'renewTime']) {
      const v = spec[f];
      if (v !== undefined && v !== null && !(typeof v === 'string' && MICRO_TIME.test(v)))
        return statusBody(
          400,
          'BadRequest',
          `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(v)}: cannot parse`,
        );
    }
    const d = spec.leaseDurationSeconds;
    if (d !== undefined && !(typeof d === 'number' && Number.isInteger(d) && d > 0))
      return statusBody(422, 'Invalid', `spec.leaseDurationSeconds: Invalid value: ${JSON.stringify(d)}: must be greater than 0`);
    return undefined;
  }
}
