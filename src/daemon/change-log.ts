// Log lines for next-hop changes that stay readable when a host announces or withdraws 100k prefixes at once
// (campaign defect 9: 131k prefixes announced and withdrawn wrote 263k info lines, 52 MB). Within one window
// (default 1 s, opened by the first change after a quiet one) the first `detailed` changes get their own line as
// before (`failover` at warn, `next_hop_chosen` at info); the rest are logged per prefix at debug only, and when
// the window closes one summary line per kind says how many there were, grouped by from → to (per peer, in
// effect). So a steady trickle is logged change by change, and a bulk change costs a few dozen lines.
import type { Clock, TimerHandle } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import type { ChosenChange } from '../rib/chosen.js';

export interface ChangeLogOptions {
  readonly windowMs?: number;
  /** Changes logged one by one per window (default 10). */
  readonly detailed?: number;
  /** Largest number of from → to groups named in a summary (default 10; the rest are counted). */
  readonly groups?: number;
}

interface Group {
  readonly from: string;
  readonly to: string;
  prefixes: number;
  readonly first: string[];
}

const FIRST = 3;

export class ChangeLog {
  private inWindow = 0;
  private timer: TimerHandle | undefined;
  private readonly held = { failover: new Map<string, Group>(), chosen: new Map<string, Group>() };

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly o: ChangeLogOptions = {},
  ) {}

  record(batch: readonly ChosenChange[]): void {
    const debug = this.logger.isLevelEnabled('debug');
    for (const c of batch) {
      this.timer ??= this.clock.setTimeout(() => this.flush(), this.o.windowMs ?? 1000);
      const detailed = this.inWindow++ < (this.o.detailed ?? 10);
      if (detailed || debug) {
        // Built only when logged: a peer's whole table (a million changes) costs no strings at info.
        const fields = {
          event: c.failover ? 'failover' : 'next_hop_chosen',
          prefix: c.prefixText,
          from: c.from,
          to: c.to,
          reason: c.reason,
        };
        const text = `${c.failover ? 'failover ' : ''}${c.prefixText}: ${c.from ?? '-'} → ${c.to ?? '-'} (${c.detail})`;
        if (!detailed) this.logger.debug(fields, text);
        else if (c.failover) this.logger.warn(fields, text);
        else this.logger.info(fields, text);
        if (detailed) continue;
      }
      const groups = c.failover ? this.held.failover : this.held.chosen;
      const key = `${c.from ?? '-'}\n${c.to ?? '-'}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { from: c.from ?? '-', to: c.to ?? '-', prefixes: 0, first: [] }));
      g.prefixes++;
      if (g.first.length < FIRST) g.first.push(c.prefixText);
    }
  }

  /** Ends the window: the summary lines of what was held back. */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.inWindow = 0;
    for (const kind of ['failover', 'chosen'] as const) {
      const groups = [...this.held[kind].values()].sort((a, b) => b.prefixes - a.prefixes);
      this.held[kind].clear();
      if (groups.length === 0) continue;
      const total = groups.reduce((n, g) => n + g.prefixes, 0);
      const shown = groups.slice(0, this.o.groups ?? 10);
      const more = groups.length - shown.length;
      const text = shown.map(
        (g) => `${g.from} → ${g.to}: ${g.prefixes} (${g.first.join(', ')}${g.prefixes > g.first.length ? ', …' : ''})`,
      );
      const fields = {
        prefixes: total,
        groups: shown.map((g) => ({ from: g.from, to: g.to, prefixes: g.prefixes, first: g.first })),
        ...(more > 0 ? { moreGroups: more } : {}),
      };
      const tail = `${text.join('; ')}${more > 0 ? `; ${more} more from → to pairs` : ''} (each prefix at debug level)`;
      if (kind === 'failover') this.logger.warn({ event: 'failover', ...fields }, `failover of ${total} more prefixes: ${tail}`);
      else this.logger.info({ event: 'next_hop_chosen', ...fields }, `${total} more next-hop changes: ${tail}`);
    }
  }
}
