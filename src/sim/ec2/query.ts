// The EC2 Query protocol's request side: a form-encoded body (`Action=…&Version=2016-11-15&…`) whose lists
// are flattened with 1-based indexes (`RouteTableId.1`, `Filter.1.Name`, `Filter.1.Value.1`,
// `TagSpecification.1.Tag.1.Key`). QueryParams reads scalars, lists and lists of structures from it.
import { Ec2ApiError } from './ec2-error.js';

export interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

export interface TagPair {
  readonly key: string;
  readonly value: string | undefined;
}

export class QueryParams {
  constructor(private readonly map: ReadonlyMap<string, string>) {}

  static parse(body: string): QueryParams {
    const map = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(body)) map.set(k, v);
    return new QueryParams(map);
  }

  get action(): string | undefined {
    return this.map.get('Action');
  }

  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  toRecord(): Record<string, string> {
    return Object.fromEntries(this.map);
  }

  str(name: string): string | undefined {
    return this.map.get(name);
  }

  required(name: string): string {
    const v = this.map.get(name);
    if (v === undefined || v === '') {
      throw new Ec2ApiError('MissingParameter', `The request must contain the parameter ${name}`);
    }
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.map.get(name);
    if (v === undefined) return undefined;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new Ec2ApiError('InvalidParameterValue', `Value (${v}) for parameter ${name} is invalid. Expected a boolean.`);
  }

  int(name: string): number | undefined {
    const v = this.map.get(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) {
      throw new Ec2ApiError('InvalidParameterValue', `Value (${v}) for parameter ${name} is invalid. Expected an integer.`);
    }
    return Number(v);
  }

  /** `Name.1`, `Name.2`, … in index order. */
  list(name: string): string[] {
    const out: Array<[number, string]> = [];
    const pre = `${name}.`;
    for (const [k, v] of this.map) {
      if (!k.startsWith(pre)) continue;
      const rest = k.slice(pre.length);
      if (/^\d+$/.test(rest)) out.push([Number(rest), v]);
    }
    return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  /** `Name.N.Field…` grouped per N (in index order), each as its own QueryParams with `Field…` keys. */
  structs(name: string): QueryParams[] {
    const groups = new Map<number, Map<string, string>>();
    const pre = `${name}.`;
    for (const [k, v] of this.map) {
      if (!k.startsWith(pre)) continue;
      const rest = k.slice(pre.length);
      const dot = rest.indexOf('.');
      if (dot <= 0) continue;
      const idx = rest.slice(0, dot);
      if (!/^\d+$/.test(idx)) continue;
      let g = groups.get(Number(idx));
      if (!g) groups.set(Number(idx), (g = new Map()));
      g.set(rest.slice(dot + 1), v);
    }
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => new QueryParams(g));
  }

  filters(): Filter[] {
    return this.structs('Filter').map((f) => ({ name: f.required('Name'), values: f.list('Value') }));
  }

  /** `Tag.N.Key` / `Tag.N.Value` pairs. */
  tags(name = 'Tag'): TagPair[] {
    return this.structs(name).map((t) => ({ key: t.required('Key'), value: t.str('Value') }));
  }

  /** Tags from `TagSpecification.N` entries whose ResourceType matches. */
  tagSpecifications(resourceType: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const spec of this.structs('TagSpecification')) {
      const rt = spec.str('ResourceType');
      if (rt !== undefined && rt !== resourceType) {
        throw new Ec2ApiError('InvalidParameterValue', `'${rt}' is not a valid taggable resource type for this operation.`);
      }
      for (const t of spec.tags()) out[t.key] = t.value ?? '';
    }
    return out;
  }
}
