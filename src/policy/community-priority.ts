// Community-based priority: "65000:100" (exact: a path carrying 65000:100 gets priority 100) and "65000:*"
// (any 65000:X gives priority X). RFC 1997 communities are 32-bit: high 16 bits ASN, low 16 bits value.

export type CommunityPriorityRule =
  { readonly kind: 'exact'; readonly community: number; readonly priority: number } | { readonly kind: 'asn'; readonly asn: number };

const RULE_RE = /^(\d{1,5}):(\d{1,5}|\*)(?:=(-?\d{1,9}))?$/;

/**
 * Parses rules: "ASN:VALUE" (priority = VALUE), "ASN:VALUE=PRIORITY" (explicit priority), "ASN:*" (priority = the
 * community's value).
 */
export function parseCommunityPriorities(texts: readonly string[], mkError: (msg: string) => Error): CommunityPriorityRule[] {
  return texts.map((t) => {
    const m = RULE_RE.exec(t.trim());
    const asn = m ? Number(m[1]) : NaN;
    if (!m || asn > 0xffff || (m[2] !== '*' && Number(m[2]) > 0xffff)) {
      throw mkError(`bad community priority rule "${t}" (expected ASN:VALUE, ASN:VALUE=PRIORITY or ASN:*, 16-bit numbers)`);
    }
    if (m[2] === '*') return { kind: 'asn', asn };
    const value = Number(m[2]);
    const priority = m[3] !== undefined ? Number(m[3]) : value;
    return { kind: 'exact', community: asn * 0x10000 + value, priority };
  });
}

/** The highest priority any rule gives for these communities, or undefined when none matches. */
export function communityPriority(rules: readonly CommunityPriorityRule[], communities: readonly number[]): number | undefined {
  if (rules.length === 0 || communities.length === 0) return undefined;
  let best: number | undefined;
  for (const c of communities) {
    for (const r of rules) {
      let v: number | undefined;
      if (r.kind === 'exact') v = r.community === c ? r.priority : undefined;
      else v = Math.floor(c / 0x10000) === r.asn ? c % 0x10000 : undefined;
      if (v !== undefined && (best === undefined || v > best)) best = v;
    }
  }
  return best;
}
