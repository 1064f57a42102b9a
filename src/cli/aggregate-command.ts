// `bgp2vpc aggregate`: read prefixes → targets from JSON, print the minimal (or least-damage) table as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { UserError, errorMessage } from '../base/errors.js';
import { formatPrefix, parsePrefix, type Prefix } from '../net/prefix.js';
import { type Family } from '../net/address.js';
import { aggregate } from '../aggregate/aggregate.js';
import { parseAggregateFile, type AggregateFile } from './aggregate-input.js';
import type { AggregateResult } from '../aggregate/types.js';

function readInput(file: string): AggregateFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError('AGG_BAD_FILE', `cannot read ${file}: ${errorMessage(err)}`);
  }
  return parseAggregateFile(file, text);
}

function parseLimit(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UserError('AGG_BAD_LIMIT', `--limit must be a non-negative integer, got "${text}"`);
  }
  return Number(text);
}

function parseClusterFlags(value: unknown): Prefix[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((v) => {
    const text = String(v);
    if (!text.includes('/')) throw new UserError('AGG_BAD_CLUSTER', `--cluster "${text}" is not a CIDR (address/length)`);
    try {
      return parsePrefix(text);
    } catch (err) {
      throw new UserError('AGG_BAD_CLUSTER', `--cluster: ${errorMessage(err)}`);
    }
  });
}

export function aggregateCommand(opts: Record<string, unknown>, _args: readonly string[]): Promise<number> {
  return Promise.resolve(runAggregate(opts));
}

function runAggregate(opts: Record<string, unknown>): number {
  const started = performance.now();
  const inFile = String(opts.in);
  const input = readInput(inFile);
  const cluster = [...input.cluster, ...parseClusterFlags(opts.cluster)];
  const limit = parseLimit(opts.limit);
  const previous = typeof opts.previous === 'string' ? readInput(opts.previous).routes : undefined;

  const results: AggregateResult[] = [];
  for (const family of ['ipv4', 'ipv6'] as const satisfies readonly Family[]) {
    const routes = input.routes.filter((r) => r.prefix.family === family);
    if (routes.length === 0) continue;
    const prev = previous?.filter((r) => r.prefix.family === family);
    results.push(
      aggregate({
        family,
        routes,
        cluster: cluster.filter((c) => c.family === family),
        ...(limit !== undefined ? { budget: limit } : {}),
        ...(prev !== undefined ? { previous: prev } : {}),
      }),
    );
  }
  const table = results.flatMap((r) => r.routes.map((x) => ({ cidr: formatPrefix(x.prefix), target: x.target })));
  // One route per line: readable, diffable, still plain JSON.
  const json = table.length === 0 ? '[]\n' : `[\n${table.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`;
  if (typeof opts.out === 'string') {
    try {
      writeFileSync(opts.out, json);
    } catch (err) {
      throw new UserError('AGG_BAD_FILE', `cannot write ${opts.out}: ${errorMessage(err)}`);
    }
  } else {
    process.stdout.write(json);
  }
  const elapsed = performance.now() - started;

  for (const r of results) {
    if (r.damage.addresses > 0n) {
      process.stderr.write(
        `bgp2vpc: warning: ${r.family}: the minimal table needs ${r.optimum} routes but the limit is ${limit ?? 'unlimited'}; ` +
          `${r.damage.addresses} announced addresses in ${r.damage.prefixes.length} prefixes are misrouted or unrouted\n`,
      );
    }
  }
  if (opts.stats === true) {
    const lines = [`input prefixes: ${input.routes.length}`, `cluster CIDRs: ${cluster.length}`];
    for (const r of results) {
      lines.push(
        `${r.family}: ${r.routes.length} routes (unlimited optimum ${r.optimum}), damaged addresses ${r.damage.addresses}` +
          ` in ${r.damage.prefixes.length} prefixes`,
      );
    }
    lines.push(`time: ${elapsed.toFixed(1)} ms`);
    process.stderr.write(`${lines.join('\n')}\n`);
  }
  return 0;
}
