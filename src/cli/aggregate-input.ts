// The `aggregate` command's JSON formats. Any of:
//   {"10.244.1.0/24": "i-0abc", ...}                                  prefix → target
//   {"cluster": ["10.244.0.0/16"], "routes": {...} or [...]}          with cluster CIDRs
//   [{"cidr": "10.244.1.0/24", "target": "i-0abc"}, ...]               a list
// Every mistake is a UserError with one line naming the file and the offending entry.
import { UserError, errorMessage } from '../base/errors.js';
import { parsePrefix, type Prefix } from '../net/prefix.js';
import type { AggRoute } from '../aggregate/types.js';

export class AggregateFileError extends UserError {
  constructor(file: string, message: string) {
    super('AGG_BAD_FILE', `${file}: ${message}`);
  }
}

export interface AggregateFile {
  readonly routes: readonly AggRoute[];
  readonly cluster: readonly Prefix[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function cidr(file: string, text: unknown, where: string): Prefix {
  if (typeof text !== 'string') throw new AggregateFileError(file, `${where}: expected a CIDR string`);
  if (!text.includes('/')) throw new AggregateFileError(file, `${where}: "${text}" is not a CIDR (address/length)`);
  try {
    return parsePrefix(text);
  } catch (err) {
    throw new AggregateFileError(file, `${where}: ${errorMessage(err)}`);
  }
}

function target(file: string, value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AggregateFileError(file, `${where}: missing target (expected a non-empty string)`);
  }
  return value;
}

function routesFrom(file: string, value: unknown, where: string): AggRoute[] {
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      const at = `${where}[${i}]`;
      if (!isRecord(item)) throw new AggregateFileError(file, `${at}: expected {"cidr": ..., "target": ...}`);
      for (const k of Object.keys(item)) {
        if (k !== 'cidr' && k !== 'target') throw new AggregateFileError(file, `${at}: unknown field "${k}"`);
      }
      return { prefix: cidr(file, item.cidr, `${at}.cidr`), target: target(file, item.target, `${at} (${String(item.cidr)})`) };
    });
  }
  if (isRecord(value)) {
    return Object.entries(value).map(([k, v]) => ({ prefix: cidr(file, k, `"${k}"`), target: target(file, v, `"${k}"`) }));
  }
  throw new AggregateFileError(file, `${where}: expected an object {"cidr": "target"} or an array of {"cidr", "target"}`);
}

/** Parses the text of an input (or previous-table) file. */
export function parseAggregateFile(file: string, text: string): AggregateFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AggregateFileError(file, `invalid JSON: ${errorMessage(err)}`);
  }
  if (isRecord(doc) && 'routes' in doc) {
    for (const k of Object.keys(doc)) {
      if (k !== 'routes' && k !== 'cluster') throw new AggregateFileError(file, `unknown top-level field "${k}"`);
    }
    const c = doc.cluster ?? [];
    if (!Array.isArray(c)) throw new AggregateFileError(file, 'cluster: expected an array of CIDRs');
    return { routes: routesFrom(file, doc.routes, 'routes'), cluster: c.map((x, i) => cidr(file, x, `cluster[${i}]`)) };
  }
  return { routes: routesFrom(file, doc, 'input'), cluster: [] };
}
