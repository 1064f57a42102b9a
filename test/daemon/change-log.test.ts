import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { ChangeLog } from '../../src/daemon/change-log.js';
import type { ChosenChange } from '../../src/rib/chosen.js';
import { parsePrefix } from '../../src/net/prefix.js';

function capture(): { logger: pino.Logger; lines: { level: number; event?: string; prefixes?: number; groups?: unknown[] }[] } {
  const lines: { level: number; event?: string }[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as { level: number });
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, dest), lines };
}
const settle = () => new Promise((r) => setImmediate(r));

const change = (i: number, from: string | undefined, to: string | undefined, failover = false): ChosenChange => {
  const text = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
  return { prefix: parsePrefix(text), prefixText: text, from, to, reason: failover ? 'failover' : 'new', detail: 'test', failover };
};

describe('next-hop change log lines (campaign defect 9)', () => {
  it('131k prefixes announced and withdrawn: a few dozen info lines, every prefix still at debug', async () => {
    const clock = new FakeClock(0);
    const { logger, lines } = capture();
    const log = new ChangeLog(logger, clock);
    const N = 131_072;
    for (const [from, to] of [
      [undefined, '198.18.0.11'],
      ['198.18.0.11', undefined],
    ] as const) {
      for (let i = 0; i < N; i += 800) {
        log.record(Array.from({ length: Math.min(800, N - i) }, (_, k) => change(i + k, from, to)));
        clock.advance(5); // BIRD packs ~800 prefixes per UPDATE; the whole table arrives in about a second
      }
    }
    clock.advance(1000);
    await settle();
    const info = lines.filter((l) => l.level >= 30);
    expect(info.length).toBeLessThanOrEqual(40);
    expect(lines.filter((l) => l.level === 20)).toHaveLength(2 * N - info.filter((l) => l.prefixes === undefined).length);
    const summarised = info.reduce((n, l) => n + (l.prefixes ?? 0), 0);
    expect(summarised + info.filter((l) => l.prefixes === undefined).length).toBe(2 * N);
  });

  it('a trickle keeps one line per change; a mass failover is 10 lines and one summary grouped by from → to', async () => {
    const clock = new FakeClock(0);
    const { logger, lines } = capture();
    const log = new ChangeLog(logger, clock);
    for (let i = 0; i < 5; i++) {
      log.record([change(i, '198.18.0.11', '198.18.0.12')]);
      clock.advance(2000);
    }
    await settle();
    expect(lines.map((l) => [l.level, l.event, l.prefixes])).toEqual(Array(5).fill([30, 'next_hop_chosen', undefined]));
    lines.length = 0;
    log.record(Array.from({ length: 3000 }, (_, i) => change(i, '198.18.0.11', '198.18.0.12', true)));
    clock.advance(1000);
    await settle();
    const warn = lines.filter((l) => l.level === 40);
    expect(warn).toHaveLength(11);
    expect(warn.at(-1)).toMatchObject({
      event: 'failover',
      prefixes: 2990,
      groups: [{ from: '198.18.0.11', to: '198.18.0.12', prefixes: 2990, first: ['10.0.0.10/32', '10.0.0.11/32', '10.0.0.12/32'] }],
    });
  });
});
