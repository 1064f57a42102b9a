// Describe* filtering (`Filter.N.Name` / `Filter.N.Value.M`: OR within a filter, AND across filters, `*` and `?`
// wildcards, `tag:<key>`, `tag-key`, `tag-value`) and MaxResults/NextToken paging.
import { Ec2ApiError } from './ec2-error.js';
import type { Filter, QueryParams } from './query.js';
import type { Tags } from './model-types.js';

/** The values a resource has for a filter name; undefined when the name is not a filter of this resource. */
export type FilterValues<T> = (item: T, name: string) => readonly string[] | undefined;

function valueMatcher(values: readonly string[]): (v: string) => boolean {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const v of values) {
    if (v.includes('*') || v.includes('?')) {
      const re = v
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.');
      patterns.push(new RegExp(`^${re}$`));
    } else exact.add(v);
  }
  return (v) => exact.has(v) || patterns.some((p) => p.test(v));
}

export function tagFilterValues(tags: Tags, name: string): readonly string[] | undefined {
  if (name.startsWith('tag:')) {
    const v = tags.get(name.slice(4));
    return v === undefined ? [] : [v];
  }
  if (name === 'tag-key') return [...tags.keys()];
  if (name === 'tag-value') return [...tags.values()];
  return undefined;
}

/** Compiles filters into one predicate; an unknown name fails at once (EC2: InvalidParameterValue). */
export function compileFilters<T>(filters: readonly Filter[], known: ReadonlySet<string>, values: FilterValues<T>): (item: T) => boolean {
  const compiled = filters.map((f) => {
    if (!known.has(f.name) && !f.name.startsWith('tag:') && f.name !== 'tag-key' && f.name !== 'tag-value') {
      throw new Ec2ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    }
    return { name: f.name, match: valueMatcher(f.values) };
  });
  return (item) =>
    compiled.every(({ name, match }) => {
      const have = values(item, name);
      return have !== undefined && have.some(match);
    });
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

/**
 * Pages items in creation order. The token names the last item returned, so deletions between pages never
 * skip an item.
 */
export function paginate<T extends { readonly seq: number }>(
  items: readonly T[],
  q: QueryParams,
  bounds: { min: number; max: number } = { min: 5, max: 1000 },
): Page<T> {
  const max = q.int('MaxResults');
  const token = q.str('NextToken');
  let after = -1;
  if (token !== undefined && token !== '') {
    const m = /^seq:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m) throw new Ec2ApiError('InvalidPaginationToken', `The pagination token '${token}' is invalid.`);
    after = Number(m[1]);
  }
  if (max !== undefined && (max < bounds.min || max > bounds.max)) {
    throw new Ec2ApiError(
      'InvalidParameterValue',
      `Value ( ${max} ) for parameter maxResults is invalid. Parameter must be between ${bounds.min} and ${bounds.max}.`,
    );
  }
  const sorted = [...items].sort((a, b) => a.seq - b.seq);
  const start = after < 0 ? 0 : sorted.findIndex((i) => i.seq > after);
  const rest = start < 0 ? [] : sorted.slice(start);
  if (max === undefined || rest.length <= max) return { items: rest, nextToken: undefined };
  const pageItems = rest.slice(0, max);
  const last = pageItems[pageItems.length - 1] as T;
  return { items: pageItems, nextToken: Buffer.from(`seq:${last.seq}`).toString('base64url') };
}
