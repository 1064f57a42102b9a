// A BFD session against another one over a fake link on a FakeClock: bring-up, Poll/Final, detection, timers.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { decodeBfdControl, type BfdControl } from '../../src/bfd/codec.js';
import { BfdSession, type BfdStateChange, type BfdTimers } from '../../src/bfd/session.js';
import { onRemoteState } from '../../src/bfd/fsm.js';
import { BfdDiag } from '../../src/bfd/constants.js';

const FAST: BfdTimers = { desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3 };

interface End {
  readonly session: BfdSession;
  readonly changes: BfdStateChange[];
  readonly sent: { at: number; p: BfdControl }[];
}

/** Two sessions joined by a link with 1 ms latency; `link.up = false` drops everything (a pulled cable). */
function pair(clock: FakeClock, a: BfdTimers = FAST, b: BfdTimers = FAST, random = 0.5) {
  const link = { up: true };
  const ends: End[] = [];
  const make = (timers: BfdTimers, discr: number, peer: () => End): End => {
    const changes: BfdStateChange[] = [];
    const sent: { at: number; p: BfdControl }[] = [];
    const session = new BfdSession(timers, {
      clock,
      random: () => random,
      localDiscr: discr,
      send: (buf) => {
        const d = decodeBfdControl(buf);
        if (!d.ok) throw new Error(d.reason);
        sent.push({ at: clock.now(), p: d.packet });
        if (link.up) clock.setTimeout(() => link.up && peer().session.receive(d.packet), 1);
      },
      onState: (c) => changes.push(c),
    });
    return { session, changes, sent };
  };
  ends.push(make(a, 0x1111, () => ends[1] as End));
  ends.push(make(b, 0x2222, () => ends[0] as End));
  return { a: ends[0] as End, b: ends[1] as End, link };
}

const transitions = (e: End): string[] => e.changes.map((c) => `${c.at} ${c.from}>${c.to}/${c.diag}`);

describe('the state machine (RFC 5880 §6.8.6)', () => {
  it('moves as the table says', () => {
    expect(onRemoteState('Down', 'Down')).toEqual({ state: 'Init', diag: 0 });
    expect(onRemoteState('Down', 'Init')).toEqual({ state: 'Up', diag: 0 });
    expect(onRemoteState('Down', 'Up')).toBeUndefined();
    expect(onRemoteState('Init', 'Init')).toEqual({ state: 'Up', diag: 0 });
    expect(onRemoteState('Init', 'Up')).toEqual({ state: 'Up', diag: 0 });
    expect(onRemoteState('Init', 'Down')).toBeUndefined();
    expect(onRemoteState('Up', 'Down')).toEqual({ state: 'Down', diag: BfdDiag.NEIGHBOR_SIGNALED_DOWN });
    expect(onRemoteState('Up', 'Up')).toBeUndefined();
    expect(onRemoteState('Up', 'AdminDown')).toEqual({ state: 'Down', diag: BfdDiag.NEIGHBOR_SIGNALED_DOWN });
    expect(onRemoteState('Init', 'AdminDown')).toEqual({ state: 'Down', diag: BfdDiag.NEIGHBOR_SIGNALED_DOWN });
    expect(onRemoteState('Down', 'AdminDown')).toBeUndefined();
  });
});

describe('a BFD session', () => {
  it('comes up with the three-way handshake, then announces its fast rate with a Poll answered by Final', () => {
    const clock = new FakeClock();
    const { a, b, link } = pair(clock);
    link.up = false; // B does not exist yet: A sends Down at the slow rate into the void
    a.session.start();
    clock.advance(500);
    link.up = true;
    b.session.start();
    clock.advance(10);
    // B's Down makes A Init; A's Init makes B Up at once; B's Up makes A Up.
    expect(transitions(a)).toEqual(['501 Down>Init/0', '503 Init>Up/0']);
    expect(transitions(b)).toEqual(['502 Down>Up/0']);
    // While not Up both advertise 1 s (§6.8.3); the first Up packets carry P and the new 300 ms.
    expect(a.sent[0]?.p).toMatchObject({ state: 'Down', desiredMinTxUs: 1_000_000, yourDiscr: 0 });
    // A's first Up packet answers B's Poll (Final, never both); its next ones carry its own Poll.
    const aUp = a.sent.filter((s) => s.p.state === 'Up');
    expect(aUp[0]?.p).toMatchObject({ final: true, poll: false, desiredMinTxUs: 300_000, yourDiscr: 0x2222 });
    clock.advance(2000);
    expect(b.sent.some((s) => s.p.final && !s.p.poll)).toBe(true);
    expect(a.sent.filter((s) => s.p.state === 'Up')[1]?.p).toMatchObject({ final: false, poll: true, desiredMinTxUs: 300_000 });
    expect(a.sent.filter((s) => s.at > 1000).every((s) => !s.p.poll)).toBe(true); // the Poll Sequence ended
    expect(a.session.view()).toMatchObject({ state: 'Up', remoteState: 'Up', txIntervalMs: 300, detectionTimeMs: 900, upCount: 1 });
    // random 0.5: each gap is 87.5 % of 300 ms (RFC 5880 §6.8.7: 75–100 %).
    const gaps = a.sent.filter((s) => s.at > 1000).map((s, i, all) => (i > 0 ? s.at - (all[i - 1]?.at ?? 0) : 0));
    expect(gaps.slice(1).every((g) => g === 262.5)).toBe(true);
  });

  it('sends at most once a second, jittered, while the far end is silent', () => {
    const clock = new FakeClock();
    const { a, link } = pair(clock, FAST, FAST, 0);
    link.up = false;
    a.session.start();
    clock.advance(3100);
    expect(a.sent.map((s) => s.at)).toEqual([0, 750, 1500, 2250, 3000]); // 75 % of 1 s with random 0
  });

  it('goes Down with diagnostic 1 a detection time after the last packet when the link dies', () => {
    const clock = new FakeClock();
    const { a, b, link } = pair(clock);
    a.session.start();
    b.session.start();
    clock.advance(3000);
    link.up = false;
    const lastFromB = Math.max(...b.sent.map((s) => s.at)) + 1; // arrival
    clock.advance(2000);
    const down = a.changes.at(-1);
    expect(down).toMatchObject({ from: 'Up', to: 'Down', diag: BfdDiag.CONTROL_DETECTION_TIME_EXPIRED });
    expect(down?.at).toBe(lastFromB + 900);
    expect(a.session.view()).toMatchObject({ state: 'Down', remoteDiscr: 0, flaps: 1, txIntervalMs: 1000 });
    // Back at the slow rate, with Your Discriminator 0 again.
    expect(a.sent.at(-1)?.p).toMatchObject({ state: 'Down', diag: 1, yourDiscr: 0, desiredMinTxUs: 1_000_000 });
    link.up = true;
    clock.advance(3000);
    expect(a.session.view()).toMatchObject({ state: 'Up', upCount: 2 });
  });

  it('takes the detection time from the remote multiplier and the larger of our RX and its TX', () => {
    const clock = new FakeClock();
    const { a, b, link } = pair(clock, FAST, { desiredMinTxUs: 100_000, requiredMinRxUs: 100_000, detectMult: 5 });
    a.session.start();
    b.session.start();
    clock.advance(3000);
    expect(a.session.view()).toMatchObject({ detectionTimeMs: 1500, txIntervalMs: 300, remoteDetectMult: 5 });
    expect(b.session.view()).toMatchObject({ detectionTimeMs: 900, txIntervalMs: 300 }); // it may not send faster than our RX
    link.up = false;
    const last = Math.max(...b.sent.map((s) => s.at)) + 1;
    clock.advance(2000);
    expect(a.changes.at(-1)?.at).toBe(last + 1500);
  });

  it('goes Down with diagnostic 3 when the far end says AdminDown, and it lingers a detection time', async () => {
    const clock = new FakeClock();
    const { a, b } = pair(clock);
    a.session.start();
    b.session.start();
    clock.advance(3000);
    const done = b.session.adminDown();
    clock.advance(5);
    expect(a.changes.at(-1)).toMatchObject({
      from: 'Up',
      to: 'Down',
      diag: BfdDiag.NEIGHBOR_SIGNALED_DOWN,
      remoteDiag: BfdDiag.ADMIN_DOWN,
    });
    expect(a.session.view().remoteState).toBe('AdminDown');
    const sentBefore = b.sent.length;
    clock.advance(2000);
    await done;
    const lingering = b.sent.slice(sentBefore - 1);
    expect(lingering.every((s) => s.p.state === 'AdminDown' && s.p.diag === 7)).toBe(true);
    expect(Math.max(...lingering.map((s) => s.at))).toBeLessThanOrEqual(3000 + 900);
    const n = b.sent.length;
    clock.advance(5000);
    expect(b.sent.length).toBe(n); // silent after the linger
    expect(a.session.view().state).toBe('Down'); // A keeps sending Down; B no longer answers
  });

  it('answers a Poll with Final at once', () => {
    const clock = new FakeClock();
    const { a, b } = pair(clock);
    a.session.start();
    b.session.start();
    clock.advance(3000);
    const at = clock.now();
    b.session.setTimers({ ...FAST, requiredMinRxUs: 500_000 });
    clock.advance(300);
    const poll = b.sent.find((s) => s.at >= at && s.p.poll);
    const final = a.sent.find((s) => s.at >= (poll?.at ?? Infinity) && s.p.final);
    expect(final?.at).toBe((poll?.at ?? 0) + 1);
    expect(a.session.view().txIntervalMs).toBe(500); // A now respects B's slower RX
  });

  it('keeps its transmit rate on an increase until the Poll Sequence ends (§6.8.3)', () => {
    const clock = new FakeClock();
    const { a, b, link } = pair(clock);
    a.session.start();
    b.session.start();
    clock.advance(3000);
    link.up = false; // the Final cannot come back
    a.session.setTimers({ ...FAST, desiredMinTxUs: 600_000 });
    const t0 = clock.now();
    clock.advance(600); // less than a detection time since B's last packet
    const polls = a.sent.filter((s) => s.at > t0);
    expect(polls.every((s) => s.p.poll && s.p.desiredMinTxUs === 600_000)).toBe(true);
    expect(polls.map((s) => s.at - t0)).toEqual([262.5, 525]); // still the 300 ms rate
  });

  it('stops periodic packets when the remote asks for Required Min RX 0 (§6.8.7)', () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    const a = new BfdSession(FAST, {
      clock,
      random: () => 0.5,
      localDiscr: 7,
      send: () => sent.push(clock.now()),
      onState: () => undefined,
    });
    a.start();
    clock.advance(100);
    const remote: BfdControl = {
      ...{ diag: 0, poll: false, final: false, cpi: false, demand: false },
      state: 'Down',
      detectMult: 3,
      myDiscr: 9,
      yourDiscr: 0,
      desiredMinTxUs: 1_000_000,
      requiredMinRxUs: 0,
      requiredMinEchoRxUs: 0,
    };
    a.receive(remote); // Down → Init: one packet for the state change, then none
    expect(sent).toEqual([0, 100]);
    clock.advance(2500);
    expect(sent).toEqual([0, 100]);
    expect(a.view().state).toBe('Init');
    // Detection time 3 × 1 s passes: Down, the remote's Required Min RX is forgotten (§6.8.18), sending resumes.
    clock.advance(1500);
    expect(a.view().state).toBe('Down');
    expect(sent.slice(2)).toEqual([3100, 3600]); // the state change, then the periodic timer's next slot
  });
});
