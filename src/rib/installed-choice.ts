// The route spec's choices while initial convergence runs. A restart must write nothing when the hosts are
// unchanged, but hosts reconnect in any order, and stickiness would keep whichever announcer of a shared prefix
// (a VIP) came back first. Until convergence the daemon tells the route spec where the installed table sends each
// prefix; the stickiness step then holds on to that host when it announces the prefix and is eligible.
import type { Prefix } from '../net/prefix.js';
import type { PrefixEntry } from './candidate.js';

/** Where the installed table (of `az`, for a per-AZ choice) sends a prefix: the addresses of its host, or undefined. */
export type InstalledLookup = (prefix: Prefix, az?: string) => readonly string[] | undefined;

/** The next hop the stickiness step keeps: the installed one when it is an eligible candidate, else the current. */
export function stickTo(
  e: PrefixEntry,
  current: string | undefined,
  installed: InstalledLookup | undefined,
  az?: string,
): string | undefined {
  if (!installed || e.cands.length < 2) return current;
  const addrs = installed(e.prefix, az);
  if (addrs) for (const c of e.cands) if (c.eligible && addrs.includes(c.nextHop)) return c.nextHop;
  return current;
}
