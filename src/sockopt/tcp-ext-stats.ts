// The kernel's TCP-MD5 drop counters from /proc/net/netstat (TcpExt). A SYN without the key, with a wrong one or
// signed where no key is set never reaches the BGP FSM; these counters are the only trace. They count the whole
// network namespace, both directions, every process.
import { readFile } from 'node:fs/promises';
import { Counter } from 'prom-client';
import { METRIC_PREFIX, type Metrics } from '../base/metrics.js';

export interface TcpMd5Drops {
  /** A segment without a signature from an address that has a key (TCPMD5NotFound). */
  readonly notFound: number;
  /** A signed segment where no key is set (TCPMD5Unexpected). */
  readonly unexpected: number;
  /** A signature that does not verify: wrong key (TCPMD5Failure). */
  readonly failure: number;
}

const FIELDS = { notFound: 'TCPMD5NotFound', unexpected: 'TCPMD5Unexpected', failure: 'TCPMD5Failure' } as const;

/** Parses the TcpExt header/value line pair of /proc/net/netstat; undefined when absent. */
export function parseTcpMd5Drops(text: string): TcpMd5Drops | undefined {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const names = (lines[i] ?? '').trim().split(/\s+/);
    const values = (lines[i + 1] ?? '').trim().split(/\s+/);
    if (names[0] !== 'TcpExt:' || values[0] !== 'TcpExt:') continue;
    const get = (name: string): number => {
      const j = names.indexOf(name);
      return j > 0 ? Number(values[j] ?? 0) : 0;
    };
    return { notFound: get(FIELDS.notFound), unexpected: get(FIELDS.unexpected), failure: get(FIELDS.failure) };
  }
  return undefined;
}

export async function readTcpMd5Drops(path = '/proc/net/netstat'): Promise<TcpMd5Drops | undefined> {
  try {
    return parseTcpMd5Drops(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * `bgp2vpc_tcp_md5_drops_total{reason}` (not_found | unexpected | failure), read from the kernel at scrape time.
 * Namespace-wide: other processes' MD5 sessions count too. Linux only; elsewhere the metric has no series.
 */
export function registerTcpMd5DropMetrics(m: Metrics, path = '/proc/net/netstat'): void {
  const name = `${METRIC_PREFIX}tcp_md5_drops_total`;
  m.registry.removeSingleMetric(name);
  new Counter({
    name,
    help: 'TCP segments the kernel dropped for TCP-MD5 (RFC 2385): not_found = unsigned from a keyed address, unexpected = signed without a key here, failure = wrong key',
    labelNames: ['reason'],
    registers: [m.registry],
    async collect() {
      const d = await readTcpMd5Drops(path);
      this.reset();
      if (!d) return;
      this.inc({ reason: 'not_found' }, d.notFound);
      this.inc({ reason: 'unexpected' }, d.unexpected);
      this.inc({ reason: 'failure' }, d.failure);
    },
  });
}
