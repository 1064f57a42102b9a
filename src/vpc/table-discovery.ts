// Which route tables a VPC selector means, and which AZ a table serves.
//
// - tags (vpcId + tags): the VPC's tables carrying every tag.
// - association (vpc-router's behaviour): the tables associated with the subnets that hold the next-hop ENIs; a
//   subnet without an explicit association is served by the VPC's main table, which then counts too. Tags, when
//   given, narrow the result (compared here, after the association query, so that a subnet's explicit table that
//   lacks the tags does not make the main table look like its table).
// - skipUnassociated (vpc-router PR #53): leave out tables without an explicit subnet association (a main table
//   that only serves implicit subnets, spare tables).
//
// A table's AZ: the one AZ of all its explicitly associated subnets; subnets in several AZs, or none, mean no
// preference (undefined).
import type { Filter } from '@aws-sdk/client-ec2';
import type { Ec2Gateway } from './ec2-gateway.js';
import type { TableSnapshot } from './types.js';

export type DiscoverBy = 'tags' | 'association';

export type TableSelector =
  | { readonly ids: readonly string[] }
  | {
      readonly vpcId: string;
      readonly tags?: Readonly<Record<string, string>>;
      /** Default 'tags'. */
      readonly by?: DiscoverBy;
      readonly skipUnassociated?: boolean;
    };

/** EC2 caps the values of one filter. */
const FILTER_VALUES = 100;

const hasTags = (s: TableSnapshot, tags: Readonly<Record<string, string>>): boolean =>
  Object.entries(tags).every(([k, v]) => s.tags[k] === v);

/**
 * The tables a VPC selector names now (`subnets`: the subnets of the next-hop ENIs, for discovery by
 * association). Throws when EC2 cannot be read.
 */
export async function discoverTables(
  gw: Pick<Ec2Gateway, 'describeRouteTables'>,
  sel: Exclude<TableSelector, { readonly ids: readonly string[] }>,
  subnets: ReadonlySet<string>,
): Promise<TableSnapshot[]> {
  const tags = sel.tags ?? {};
  const vpc: Filter = { Name: 'vpc-id', Values: [sel.vpcId] };
  let found: TableSnapshot[];
  if ((sel.by ?? 'tags') === 'tags') {
    found = await gw.describeRouteTables([vpc, ...Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }))]);
  } else {
    const ids = [...subnets].sort();
    const byId = new Map<string, TableSnapshot>();
    for (let i = 0; i < ids.length; i += FILTER_VALUES) {
      const values = ids.slice(i, i + FILTER_VALUES);
      for (const s of await gw.describeRouteTables([vpc, { Name: 'association.subnet-id', Values: values }])) byId.set(s.id, s);
    }
    const explicit = new Set([...byId.values()].flatMap((s) => s.subnetIds));
    if (ids.some((id) => !explicit.has(id))) {
      for (const s of await gw.describeRouteTables([vpc, { Name: 'association.main', Values: ['true'] }])) byId.set(s.id, s);
    }
    found = [...byId.values()].filter((s) => hasTags(s, tags)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return sel.skipUnassociated ? found.filter((s) => s.subnetIds.length > 0) : found;
}

/** The AZ a table serves: the single AZ of its subnets, undefined for none, several or any unknown. */
export function tableAz(subnetIds: readonly string[], azOfSubnet: (subnetId: string) => string | undefined): string | undefined {
  let az: string | undefined;
  for (const id of subnetIds) {
    const a = azOfSubnet(id);
    if (a === undefined || (az !== undefined && a !== az)) return undefined;
    az = a;
  }
  return az;
}
