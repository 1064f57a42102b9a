import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/daemon.js';
import { ConvergenceTracker } from '../../src/daemon/convergence.js';
import { FakeClock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/log.js';
import { Metrics } from '../../src/base/metrics.js';
import { FakeBgp, FakeRib, FakeSync, pathEvent, peerUp } from './fakes.js';

function setup(settleMs = 10_000) {
  const clock = new FakeClock(1000);
  const bgp = new FakeBgp();
  const rib = new FakeRib();
  const sync = new FakeSync();
  const metrics = new Metrics();
  const daemon = new Daemon({ bgp, rib, sync }, { clock, logger: silentLogger, metrics, settleMs });
  return { clock, bgp, rib, sync, daemon, metrics };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ConvergenceTracker', () => {
  it('waits for the settle time while a peer without graceful restart is up', () => {
    const t = new ConvergenceTracker(0, { settleMs: 10_000, minMs: 1000, quietMs: 1000 });
    t.observe(peerUp('10.0.0.1', false), 100);
    expect(t.check(5000)).toBe(false);
    expect(t.check(10_000)).toBe(true);
    expect(t.reason).toMatch(/settle time/);
  });

  it('converges early when every peer sent End-of-RIB for each family, after the quiet period', () => {
    const t = new ConvergenceTracker(0, { settleMs: 10_000, minMs: 1000, quietMs: 1000 });
    t.observe(peerUp('10.0.0.1', true, ['ipv4', 'ipv6']), 200);
    t.observe({ type: 'end-of-rib', peer: '10.0.0.1', family: 'ipv4' }, 300);
    expect(t.check(2000)).toBe(false); // ipv6 End-of-RIB missing
    t.observe({ type: 'end-of-rib', peer: '10.0.0.1', family: 'ipv6' }, 400);
    t.observe(peerUp('10.0.0.2', true), 1900);
    expect(t.check(2000)).toBe(false); // 10.0.0.2 has not finished, and came up within the quiet period
    t.observe({ type: 'end-of-rib', peer: '10.0.0.2', family: 'ipv4' }, 2000);
    expect(t.check(2500)).toBe(false); // still quiet period
    expect(t.nextCheckIn(2500)).toBe(400);
    expect(t.check(2900)).toBe(true);
    expect(t.reason).toBe('End-of-RIB from all 2 peer(s)');
  });

  it('never converges early with no peers, and latches once converged', () => {
    const t = new ConvergenceTracker(0, { settleMs: 3000 });
    expect(t.check(2999)).toBe(false);
    expect(t.check(3000)).toBe(true);
    t.observe(peerUp('10.0.0.1', false), 3001);
    expect(t.check(3002)).toBe(true);
  });

  it('forgets a peer that went down before sending End-of-RIB', () => {
    const t = new ConvergenceTracker(0, { settleMs: 10_000 });
    t.observe(peerUp('10.0.0.1', true), 0);
    t.observe(peerUp('10.0.0.2', false), 0);
    t.observe({ type: 'end-of-rib', peer: '10.0.0.1', family: 'ipv4' }, 10);
    expect(t.check(20)).toBe(false);
    t.observe({ type: 'peer-down', peer: '10.0.0.2', reason: 'tcp-closed', detail: '' }, 30);
    expect(t.check(40)).toBe(true);
  });
});

describe('ConvergenceTracker: hosts of the installed routes', () => {
  const eor = (peer: string) => ({ type: 'end-of-rib', peer, family: 'ipv4' }) as const;

  it('End-of-RIB from every up peer does not decide while an installed host is unheard', () => {
    const t = new ConvergenceTracker(0, { settleMs: 10_000, minMs: 1000, quietMs: 1000 });
    t.expect([['10.0.0.1'], ['10.0.0.3', '10.0.0.30']]);
    t.observe(peerUp('10.0.0.1', true), 100);
    t.observe(eor('10.0.0.1'), 150);
    expect(t.check(5000)).toBe(false);
    expect(t.unheard()).toEqual([['10.0.0.3', '10.0.0.30']]);
    t.sawNextHops(['10.0.0.30']); // any address of the host, as a next hop the route spec holds (BGP or a file)
    expect(t.check(5000)).toBe(true);
    expect(t.reason).toBe('End-of-RIB from all 1 peer(s)');
  });

  it('an installed host that is an up peer with End-of-RIB is heard even when it announces nothing', () => {
    const t = new ConvergenceTracker(0, { settleMs: 10_000 });
    t.expect([['10.0.0.2']]);
    t.observe(peerUp('10.0.0.2', true), 0);
    expect(t.check(10)).toBe(false);
    t.observe(eor('10.0.0.2'), 20);
    expect(t.check(30)).toBe(true);
  });

  it('when EC2 could not say which hosts, only the settle time decides, and its reason counts the unheard', () => {
    const t = new ConvergenceTracker(0, { settleMs: 10_000 });
    t.expectUnknown();
    t.observe(peerUp('10.0.0.1', true), 0);
    t.observe(eor('10.0.0.1'), 10);
    expect(t.check(9_999)).toBe(false);
    expect(t.check(10_000)).toBe(true);
    const u = new ConvergenceTracker(0, { settleMs: 10_000 });
    u.expect([['10.0.0.1'], ['10.0.0.2']]);
    u.sawNextHops(['10.0.0.1']);
    expect(u.check(10_000)).toBe(true);
    expect(u.reason).toBe('settle time 10000ms elapsed with 0 peer(s) up, 1 installed host(s) not heard from');
  });
});

describe('Daemon lifecycle', () => {
  it('reads tables first, writes nothing until the settle time, then declares the desired set complete', async () => {
    const { clock, bgp, rib, sync, daemon } = setup();
    await daemon.start();
    expect(sync.log[0]).toBe('prepare');
    expect(bgp.started).toBe(true);
    expect(daemon.ready().ready).toBe(false);
    bgp.emit(peerUp('10.0.1.10', false));
    bgp.emit(pathEvent('10.0.1.10', '100.64.1.0/24', '10.0.1.10'));
    expect(rib.applied).toHaveLength(2);
    clock.advance(9_000);
    // Changes reach the sync as they happen, but nothing may be planned from them yet.
    expect(sync.writesEnabled).toBe(false);
    expect(sync.complete).toBe(false);
    expect(sync.log).toEqual(['prepare', 'applyChanges(1)']);
    clock.advance(1_000);
    expect(daemon.phase).toBe('running');
    expect(sync.log).toEqual(['prepare', 'applyChanges(1)', 'enableWrites', 'completeDesired(1)']);
    expect(daemon.ready()).toEqual({
      ready: true,
      checks: { config: true, aws: true, converged: true, running: true, writesCurrent: true },
    });
    // EC2 stalled (a route change waited past vpc.stallWarning): not ready until it is applied.
    sync.stall = true;
    expect(daemon.ready()).toEqual({
      ready: false,
      checks: { config: true, aws: true, converged: true, running: true, writesCurrent: false },
    });
    sync.stall = false;
    expect(daemon.ready().ready).toBe(true);
    // Later changes flow straight through, one batch each, never the whole set.
    bgp.emit(pathEvent('10.0.1.10', '100.64.2.0/24', '10.0.1.10'));
    expect(sync.log.at(-1)).toBe('applyChanges(1)');
    expect([...sync.desired]).toEqual([
      ['100.64.1.0/24', '10.0.1.10'],
      ['100.64.2.0/24', '10.0.1.10'],
    ]);
  });

  it('converges on End-of-RIB from graceful-restart peers without waiting for the settle time', async () => {
    const { clock, bgp, sync, daemon } = setup(30_000);
    await daemon.start();
    bgp.emit(peerUp('10.0.1.10', true));
    bgp.emit(pathEvent('10.0.1.10', '100.64.1.0/24', '10.0.1.10'));
    bgp.emit({ type: 'end-of-rib', peer: '10.0.1.10', family: 'ipv4' });
    expect(sync.writesEnabled).toBe(false);
    clock.advance(1_000);
    expect(sync.writesEnabled).toBe(true);
    expect(sync.log.at(-1)).toBe('completeDesired(1)');
  });

  it('keeps running when EC2 cannot be read, retries, and writes only once it can', async () => {
    const { clock, sync, daemon } = setup(2_000);
    sync.failPrepare = 2;
    await daemon.start();
    expect(daemon.ready().checks.aws).toBe(false);
    clock.advance(2_000);
    expect(sync.writesEnabled).toBe(false); // converged, but EC2 unreadable
    clock.advance(5_000);
    await flush();
    expect(sync.writesEnabled).toBe(false);
    clock.advance(5_000);
    await flush();
    expect(sync.prepared).toBe(1);
    expect(sync.writesEnabled).toBe(true);
    expect(daemon.ready().ready).toBe(true);
  });

  it('logs and survives a throwing handler', async () => {
    const { bgp, rib, daemon, metrics } = setup();
    await daemon.start();
    rib.throwOnApply = true;
    expect(() => bgp.emit(pathEvent('10.0.1.10', '100.64.1.0/24', '10.0.1.10'))).not.toThrow();
    expect(await metrics.text()).toMatch(/bgp2vpc_handler_errors_total\{handler="speaker-event"\} 1/);
  });

  it('passes EC2 blackhole signals to the route spec', async () => {
    const { sync, rib, daemon } = setup();
    await daemon.start();
    sync.blackhole('10.0.1.11');
    expect(rib.unhealthy).toEqual(['10.0.1.11']);
  });

  it('stops the sync before BGP so the Cease withdrawals are never acted on', async () => {
    const { clock, bgp, sync, daemon } = setup(1000);
    await daemon.start();
    clock.advance(1000);
    await daemon.stop();
    expect(sync.stopped).toBe(true);
    expect(bgp.stopped).toBe(true);
    expect(sync.log.at(-1)).toBe('stop');
    expect(daemon.phase).toBe('stopped');
    expect(daemon.ready().ready).toBe(false);
  });
});

describe('convergence with BGP configured (requirePeer)', () => {
  it('does not converge on an empty RIB at the settle time; waits for a peer plus the quiet time', () => {
    const t = new ConvergenceTracker(0, { settleMs: 4000, quietMs: 1000, requirePeer: true, maxMs: 60_000 });
    expect(t.check(4000)).toBe(false);
    expect(t.check(30_000)).toBe(false);
    t.observe(peerUp('10.0.0.1', false), 30_000);
    expect(t.check(30_500)).toBe(false);
    expect(t.check(31_000)).toBe(true);
    expect(t.reason).toMatch(/settle time/);
  });

  it('gives up waiting at maxMs', () => {
    const t = new ConvergenceTracker(0, { settleMs: 4000, requirePeer: true, maxMs: 60_000 });
    expect(t.nextCheckIn(5000)).toBe(55_000);
    expect(t.check(59_999)).toBe(false);
    expect(t.check(60_000)).toBe(true);
    expect(t.reason).toMatch(/no peer after 60000ms/);
  });

  it('lets the daemon write nothing while no host is back', async () => {
    const clock = new FakeClock(0);
    const bgp = new FakeBgp();
    const sync = new FakeSync();
    const daemon = new Daemon(
      { bgp, rib: new FakeRib(), sync },
      { clock, logger: silentLogger, metrics: new Metrics(), settleMs: 4000, expectPeers: true },
    );
    await daemon.start();
    clock.advance(10_000);
    expect(sync.writesEnabled).toBe(false);
    bgp.emit(peerUp('10.0.1.10', false));
    clock.advance(1000);
    expect(sync.writesEnabled).toBe(true);
  });
  it('converges at the settle time on a clock that moves between reads and fires whole-ms timers early', async () => {
    // Like the system clock: every read is a little later, and a timer set for 445.5 ms fires after 445 ms, so
    // the check it runs can land just before the deadline. The next check must still come (it once waited maxMs).
    class TickingClock extends FakeClock {
      private drift = 0;
      override now(): number {
        this.drift += 0.4;
        return super.now() + this.drift;
      }
      override setTimeout(fn: () => void, ms: number) {
        return super.setTimeout(fn, Math.trunc(ms));
      }
    }
    const clock = new TickingClock(0);
    const bgp = new FakeBgp();
    const sync = new FakeSync();
    const daemon = new Daemon(
      { bgp, rib: new FakeRib(), sync },
      { clock, logger: silentLogger, metrics: new Metrics(), settleMs: 1500, expectPeers: true },
    );
    await daemon.start();
    bgp.emit(peerUp('10.0.1.10', false));
    bgp.emit(peerUp('10.0.1.11', false));
    for (let i = 0; i < 40 && daemon.phase !== 'running'; i++) clock.advance(100);
    expect(daemon.phase).toBe('running');
    expect(sync.writesEnabled).toBe(true);
  });
});
