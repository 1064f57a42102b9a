// One BFD session in asynchronous mode (RFC 5880), single hop or multihop alike: the state machine of fsm.ts
// driven by received packets and two timers on the injected clock (periodic transmission, detection). Packets
// go out through `send`; state changes come back through `onState`. No sockets here (udp-transport.ts).
// Not implemented: authentication, the echo function, demand mode (none is used by BIRD's or FRR's defaults).
import type { Clock, TimerHandle } from '../base/clock.js';
import { BfdDiag, SLOW_TX_US, type BfdState } from './constants.js';
import { encodeBfdControl, type BfdControl } from './codec.js';
import { detectionTimeUs, jitteredGapMs, onRemoteState, transmitIntervalUs } from './fsm.js';

export interface BfdTimers {
  /** bfd.DesiredMinTxInterval once Up, µs (RFC 5880 §6.8.3: at least 1 s while not Up). */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval, µs. */
  readonly requiredMinRxUs: number;
  /** bfd.DetectMult we send. */
  readonly detectMult: number;
}

export interface BfdStateChange {
  readonly from: BfdState;
  readonly to: BfdState;
  /** bfd.LocalDiag set with the change. */
  readonly diag: number;
  /** The remote's last diagnostic (what it says went wrong) and state (AdminDown: it was switched off there). */
  readonly remoteDiag: number;
  readonly remoteState: BfdState;
  /** Clock ms. */
  readonly at: number;
}

export interface BfdSessionDeps {
  readonly clock: Clock;
  /** [0, 1), for transmit jitter. */
  readonly random: () => number;
  /** bfd.LocalDiscr: nonzero, unique among our sessions. */
  readonly localDiscr: number;
  send(packet: Buffer): void;
  onState(change: BfdStateChange): void;
}

export interface BfdSessionView {
  readonly state: BfdState;
  readonly remoteState: BfdState;
  readonly localDiag: number;
  readonly remoteDiag: number;
  readonly localDiscr: number;
  readonly remoteDiscr: number;
  /** Negotiated transmit interval and detection time, ms (0 before the remote was heard). */
  readonly txIntervalMs: number;
  readonly detectionTimeMs: number;
  readonly remoteDetectMult: number;
  readonly remoteMinRxMs: number;
  readonly remoteMinTxMs: number;
  /** Clock ms of the last state change. */
  readonly since: number;
  readonly upCount: number;
  /** Up → anything else. */
  readonly flaps: number;
  readonly rx: number;
  readonly tx: number;
}

export class BfdSession {
  private cfg: BfdTimers;
  private state: BfdState = 'Down';
  private remoteState: BfdState = 'Down';
  private localDiag: number = BfdDiag.NONE;
  private remoteDiag: number = BfdDiag.NONE;
  private remoteDiscr = 0;
  /** RFC 5880 §6.8.1: initialised to 1. */
  private remoteMinRxUs = 1;
  private remoteDesiredMinTxUs = 0;
  private remoteDetectMult = 0;
  /** Desired Min TX in our packets: 1 s until Up (§6.8.3). */
  private advertisedTxUs = SLOW_TX_US;
  /** What our own transmit timer uses: lags an increase of advertisedTxUs until the Poll Sequence ends. */
  private txBaseUs = SLOW_TX_US;
  /** RequiredMinRx used for our detection time: lags a decrease until the Poll Sequence ends (§6.8.3). */
  private detectRxUs: number;
  private polling = false;
  private txTimer: TimerHandle | undefined;
  private detectTimer: TimerHandle | undefined;
  private adminUntil: number | undefined;
  private stopped = false;
  private since: number;
  private upCount = 0;
  private flaps = 0;
  private rx = 0;
  private tx = 0;

  constructor(
    timers: BfdTimers,
    private readonly deps: BfdSessionDeps,
  ) {
    this.cfg = timers;
    this.detectRxUs = timers.requiredMinRxUs;
    this.since = deps.clock.now();
  }

  get currentState(): BfdState {
    return this.state;
  }

  /** Starts periodic transmission (Down, slow rate). */
  start(): void {
    this.transmit(false);
    this.scheduleTx();
  }

  /** A packet that decodeBfdControl accepted and the transport matched to this session (RFC 5880 §6.8.6). */
  receive(p: BfdControl): void {
    if (this.stopped || this.state === 'AdminDown') return; // §6.8.6: discard while AdminDown
    this.rx++;
    const prevRemoteMinRx = this.remoteMinRxUs;
    this.remoteDiscr = p.myDiscr;
    this.remoteState = p.state;
    this.remoteDiag = p.diag;
    this.remoteMinRxUs = p.requiredMinRxUs;
    this.remoteDesiredMinTxUs = p.desiredMinTxUs;
    this.remoteDetectMult = p.detectMult;
    if (p.final && this.polling) this.endPoll();
    const step = onRemoteState(this.state, p.state);
    if (step) this.setState(step.state, step.diag);
    if (p.poll)
      this.transmit(true); // §6.8.6: answer a Poll with Final at once, outside the periodic schedule
    else if (step) this.transmit(false); // the far end learns the new state now, not a (slow) interval later
    if (prevRemoteMinRx !== this.remoteMinRxUs) this.scheduleTx(); // §6.8.2: the transmit interval changed
    this.armDetect();
  }

  /** New timers (config reload): applied through a Poll Sequence as §6.8.3 requires. */
  setTimers(t: BfdTimers): void {
    const old = this.cfg;
    this.cfg = t;
    if (old.desiredMinTxUs === t.desiredMinTxUs && old.requiredMinRxUs === t.requiredMinRxUs) return;
    if (this.state !== 'Up') {
      this.detectRxUs = t.requiredMinRxUs;
      return;
    }
    this.advertisedTxUs = t.desiredMinTxUs;
    if (t.desiredMinTxUs < this.txBaseUs) this.txBaseUs = t.desiredMinTxUs; // a decrease applies at once
    if (t.requiredMinRxUs > this.detectRxUs) this.detectRxUs = t.requiredMinRxUs; // so does a longer detection
    this.polling = true;
    this.scheduleTx();
  }

  /**
   * Administratively down (RFC 5880 §6.8.16): AdminDown with diagnostic 7, sent for one detection time so the far
   * end notices (at least one packet), then silence. Resolves when done.
   */
  adminDown(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const linger = Math.max(this.detectionMs(), 0);
    this.setState('AdminDown', BfdDiag.ADMIN_DOWN);
    this.adminUntil = this.deps.clock.now() + linger;
    this.detectTimer?.cancel();
    this.transmit(false);
    this.scheduleTx();
    return new Promise((resolve) =>
      this.deps.clock.setTimeout(() => {
        this.stop();
        resolve();
      }, linger),
    );
  }

  /** Stops both timers; nothing more is sent. */
  stop(): void {
    this.stopped = true;
    this.txTimer?.cancel();
    this.detectTimer?.cancel();
  }

  view(): BfdSessionView {
    const heard = this.remoteDetectMult > 0;
    return {
      state: this.state,
      remoteState: this.remoteState,
      localDiag: this.localDiag,
      remoteDiag: this.remoteDiag,
      localDiscr: this.deps.localDiscr,
      remoteDiscr: this.remoteDiscr,
      txIntervalMs: heard ? transmitIntervalUs(this.txBaseUs, this.remoteMinRxUs) / 1000 : this.txBaseUs / 1000,
      detectionTimeMs: this.detectionMs(),
      remoteDetectMult: this.remoteDetectMult,
      remoteMinRxMs: heard ? this.remoteMinRxUs / 1000 : 0,
      remoteMinTxMs: this.remoteDesiredMinTxUs / 1000,
      since: this.since,
      upCount: this.upCount,
      flaps: this.flaps,
      rx: this.rx,
      tx: this.tx,
    };
  }

  private detectionMs(): number {
    return detectionTimeUs(this.remoteDetectMult, this.detectRxUs, this.remoteDesiredMinTxUs) / 1000;
  }

  private setState(to: BfdState, diag: number): void {
    const from = this.state;
    if (to === from) return;
    this.state = to;
    this.localDiag = diag;
    this.since = this.deps.clock.now();
    if (to === 'Up') {
      this.upCount++;
      // §6.8.3: Up allows the configured rate; the change is announced with a Poll Sequence.
      this.advertisedTxUs = this.cfg.desiredMinTxUs;
      this.txBaseUs = Math.min(this.txBaseUs, this.cfg.desiredMinTxUs);
      this.polling = true;
      this.scheduleTx();
    } else if (from === 'Up') {
      this.flaps++;
      this.advertisedTxUs = SLOW_TX_US; // §6.8.3: at least 1 s while not Up
      this.txBaseUs = SLOW_TX_US;
      this.polling = false;
      this.scheduleTx();
    }
    this.deps.onState({ from, to, diag, remoteDiag: this.remoteDiag, remoteState: this.remoteState, at: this.since });
  }

  private endPoll(): void {
    this.polling = false;
    this.txBaseUs = this.advertisedTxUs; // an increase takes effect now
    this.detectRxUs = this.cfg.requiredMinRxUs; // and a decrease of RequiredMinRx
  }

  private transmit(final: boolean): void {
    if (this.stopped) return;
    this.tx++;
    this.deps.send(
      encodeBfdControl({
        diag: this.localDiag,
        state: this.state,
        poll: this.polling && !final,
        final,
        cpi: false,
        demand: false,
        detectMult: this.cfg.detectMult,
        myDiscr: this.deps.localDiscr,
        yourDiscr: this.remoteDiscr,
        desiredMinTxUs: this.advertisedTxUs,
        requiredMinRxUs: this.cfg.requiredMinRxUs,
        requiredMinEchoRxUs: 0, // no echo function
      }),
    );
  }

  private scheduleTx(): void {
    this.txTimer?.cancel();
    if (this.stopped) return;
    const gap = jitteredGapMs(transmitIntervalUs(this.txBaseUs, this.remoteMinRxUs), this.cfg.detectMult, this.deps.random());
    this.txTimer = this.deps.clock.setTimeout(() => {
      this.txTimer = undefined;
      if (this.adminUntil !== undefined && this.deps.clock.now() >= this.adminUntil) return;
      if (this.remoteMinRxUs !== 0) this.transmit(false); // §6.8.7: the remote asked for no packets
      this.scheduleTx();
    }, gap);
  }

  private armDetect(): void {
    this.detectTimer?.cancel();
    this.detectTimer = undefined;
    if (this.state !== 'Init' && this.state !== 'Up') return;
    this.detectTimer = this.deps.clock.setTimeout(() => {
      this.detectTimer = undefined;
      if (this.state !== 'Init' && this.state !== 'Up') return;
      // §6.8.4 / §6.8.1: the remote's discriminator and Required Min RX are forgotten with the session.
      this.remoteDiscr = 0;
      this.remoteMinRxUs = 1;
      this.remoteState = 'Down';
      this.setState('Down', BfdDiag.CONTROL_DETECTION_TIME_EXPIRED);
      this.transmit(false);
    }, this.detectionMs());
  }
}
