// The shell around one transport connection: socket, framer, timers (injected Clock) and the pure FSM.
// It knows nothing about routes: OPEN checks, UPDATE ingest and teardown consequences belong to the owner
// (peer.ts) through SessionOwner. Every exit path goes through one place (finish) so no socket or timer leaks.
import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import { errorMessage } from '../../base/errors.js';
import {
  BgpMessageError,
  decodeNotification,
  decodeOpen,
  describeNotification,
  encodeKeepalive,
  encodeNotification,
  encodeOpen,
  Framer,
  MessageType,
  type Capability,
  type OpenMessage,
} from '../wire/index.js';
import { fsmStep, initialFsm, type FsmAction, type FsmContext, type FsmEvent, type FsmState, type TimerName } from './fsm.js';
import type { PeerDownReason } from '../events.js';
import { CeaseSubcode, ErrorCode, HeaderSubcode } from '../wire/constants.js';

export interface LocalOpen {
  readonly asn: number;
  readonly routerId: string;
  readonly holdTime: number;
  readonly capabilities: readonly Capability[];
}

/** What the OPEN check decided. */
export type OpenVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: number; readonly subcode: number; readonly data?: Buffer; readonly detail: string };

export interface SessionEnd {
  readonly reason: PeerDownReason;
  readonly detail: string;
  readonly wasEstablished: boolean;
  /** The NOTIFICATION that ended it (sent or received), if any. */
  readonly notification?: { readonly code: number; readonly subcode: number };
  /** The FSM state the connection was in when it ended. */
  readonly state: FsmState;
  /** Bytes received on the connection. */
  readonly bytesReceived: number;
}

export interface SessionOwner {
  /** RFC 4271 §6.2 checks beyond syntax: peer AS, identifier, collision. */
  checkOpen(s: Session, open: OpenMessage): OpenVerdict;
  /** OPEN accepted and hold time negotiated (OpenConfirm). */
  opened(s: Session, open: OpenMessage): void;
  established(s: Session): void;
  /** An UPDATE in Established. Throws BgpMessageError to reset the session. */
  update(s: Session, msg: Buffer): void;
  routeRefresh(s: Session, msg: Buffer): void;
  closed(s: Session, end: SessionEnd): void;
}

export interface SessionOptions {
  readonly socket: Socket;
  readonly outbound: boolean;
  readonly local: LocalOpen;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly owner: SessionOwner;
  readonly connectRetryMs?: number;
}

let nextSessionId = 1;

export class Session {
  readonly id = nextSessionId++;
  readonly outbound: boolean;
  readonly socket: Socket;
  private fsm: FsmContext;
  private readonly framer = new Framer();
  private readonly timers = new Map<TimerName, TimerHandle>();
  /** Lazy hold timer: one clock timer, re-armed only when it fires early (UPDATEs do not touch the clock). */
  private holdDeadline = 0;
  private holdTimer: { handle: TimerHandle; at: number } | undefined;
  private finished = false;
  private lastNotification: { code: number; subcode: number } | undefined;
  /** The state before the event being handled (the state a closing connection ends from). */
  private before: FsmState = 'Idle';
  open: OpenMessage | undefined;
  establishedAt: number | undefined;

  constructor(private readonly opts: SessionOptions) {
    this.outbound = opts.outbound;
    this.socket = opts.socket;
    this.fsm = initialFsm(opts.local.holdTime, opts.connectRetryMs ?? 5_000);
    const sock = opts.socket;
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', (err) => this.handle({ type: 'TcpClosed', detail: `socket error: ${errorMessage(err)}` }));
    sock.on('close', () => this.handle({ type: 'TcpClosed', detail: 'connection closed by peer' }));
  }

  get state(): FsmState {
    return this.fsm.state;
  }
  get holdTime(): number {
    return this.fsm.holdTime;
  }
  get done(): boolean {
    return this.finished;
  }

  /** Starts the FSM on an already connected socket (accepted inbound, or an outbound connect that completed). */
  start(): void {
    this.handle({ type: 'ManualStart', passive: !this.outbound });
    this.handle({ type: 'TcpConnected' });
  }

  /** Administrative stop: Cease with subcode (2 shutdown, 3 de-configured, 6 config change, 7 collision...). */
  stop(subcode: number, data?: Buffer): void {
    this.handle(data ? { type: 'ManualStop', subcode, data } : { type: 'ManualStop', subcode });
  }

  /** Resets the session with a NOTIFICATION (max-prefix, collision, errors found by the owner). */
  reset(code: number, subcode: number, detail: string, data?: Buffer): void {
    this.handle(data ? { type: 'MessageError', code, subcode, data, detail } : { type: 'MessageError', code, subcode, detail });
  }

  /** Drops the connection without a NOTIFICATION, as if the transport failed (RFC 4724 §4.2 peer restart). */
  abort(detail: string): void {
    this.handle({ type: 'TcpClosed', detail });
    this.socket.destroy();
  }

  send(buf: Buffer): void {
    if (!this.finished && !this.socket.destroyed) this.socket.write(buf);
  }

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    let msgs: Buffer[];
    try {
      msgs = this.framer.push(chunk);
    } catch (err) {
      this.messageError(err);
      return;
    }
    for (const m of msgs) {
      if (this.finished) return;
      this.onMessage(m);
    }
    if (!this.finished && this.framer.error) this.messageError(this.framer.error);
  }

  /** Messages received on this connection (any type). */
  messagesReceived = 0;

  private onMessage(m: Buffer): void {
    const type = m[18];
    this.messagesReceived++;
    try {
      switch (type) {
        case MessageType.UPDATE:
          if (this.fsm.state === 'Established') {
            // Hot path, exactly fsmStep(Established, UpdateReceived): restart the hold timer, deliver the UPDATE.
            if (this.fsm.holdTime !== 0) this.armHold(this.fsm.holdTime * 1000);
            this.opts.owner.update(this, m);
            return;
          }
          this.handle({ type: 'UpdateReceived' }, m);
          return;
        case MessageType.KEEPALIVE:
          if (m.length !== 19)
            throw new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, 'KEEPALIVE length is not 19', {
              data: Buffer.from([m.length >> 8, m.length & 255]),
            }); // RFC 4271 §6.1
          this.handle({ type: 'KeepaliveReceived' });
          return;
        case MessageType.OPEN:
          this.onOpen(m);
          return;
        case MessageType.NOTIFICATION: {
          const n = decodeNotification(m);
          this.lastNotification = { code: n.code, subcode: n.subcode };
          const text = describeNotification(n.code, n.subcode) + (n.shutdownMessage ? ` "${n.shutdownMessage}"` : '');
          this.opts.logger.warn({ event: 'notification_received', code: n.code, subcode: n.subcode }, `NOTIFICATION received: ${text}`);
          this.handle({ type: 'NotificationReceived', code: n.code, subcode: n.subcode, detail: text });
          return;
        }
        case MessageType.ROUTE_REFRESH:
          if (this.fsm.state === 'Established') this.opts.owner.routeRefresh(this, m);
          this.handle({ type: 'RouteRefreshReceived' });
          return;
        default:
          // The framer already rejects unknown types (RFC 4271 §6.1, 1/3).
          throw new BgpMessageError(1, 3, `bad message type ${String(type)}`, { data: Buffer.from([type ?? 0]) });
      }
    } catch (err) {
      this.messageError(err);
    }
  }

  private onOpen(m: Buffer): void {
    if (this.fsm.state !== 'OpenSent') {
      this.handle({ type: 'OpenReceived', holdTime: 0 }); // the FSM turns this into an FSM error
      return;
    }
    const open = decodeOpen(m); // throws BgpMessageError (2/x) on syntax
    this.open = open;
    const verdict = this.opts.owner.checkOpen(this, open);
    if (!verdict.ok) {
      const ev: FsmEvent = verdict.data
        ? { type: 'OpenInvalid', code: verdict.code, subcode: verdict.subcode, data: verdict.data, detail: verdict.detail }
        : { type: 'OpenInvalid', code: verdict.code, subcode: verdict.subcode, detail: verdict.detail };
      this.handle(ev);
      return;
    }
    this.handle({ type: 'OpenReceived', holdTime: open.holdTime });
    if (this.state === 'OpenConfirm') this.opts.owner.opened(this, open);
  }

  /** Extended messages (RFC 8654) once both sides agreed. */
  setExtendedMessages(on: boolean): void {
    this.framer.setExtendedMessages(on);
  }

  private messageError(err: unknown): void {
    if (err instanceof BgpMessageError) {
      this.handle({
        type: 'MessageError',
        code: err.notificationCode,
        subcode: err.notificationSubcode,
        data: err.data,
        detail: err.message,
      });
      return;
    }
    // A bug of ours, not the peer's: reset the session rather than crash the process.
    this.opts.logger.error({ event: 'session_error', err }, `internal error: ${errorMessage(err)}`);
    this.handle({
      type: 'MessageError',
      code: ErrorCode.CEASE,
      subcode: CeaseSubcode.OUT_OF_RESOURCES,
      detail: `internal error: ${errorMessage(err)}`,
    });
  }

  /** Feeds one event through the FSM and performs the actions. `msg` is the UPDATE for deliver-update. */
  private handle(ev: FsmEvent, msg?: Buffer): void {
    if (this.finished) return;
    const { next, actions } = fsmStep(this.fsm, ev);
    this.before = this.fsm.state;
    this.fsm = next;
    for (const a of actions) this.perform(a, msg);
  }

  private perform(a: FsmAction, msg: Buffer | undefined): void {
    switch (a.type) {
      case 'connect':
        return; // outbound sockets are connected by the peer before the session is created
      case 'send-open':
        this.send(
          encodeOpen({
            asn: this.opts.local.asn,
            holdTime: this.opts.local.holdTime,
            routerId: this.opts.local.routerId,
            capabilities: this.opts.local.capabilities,
          }),
        );
        return;
      case 'send-keepalive':
        this.send(encodeKeepalive());
        return;
      case 'send-notification':
        this.lastNotification = { code: a.code, subcode: a.subcode };
        this.opts.logger.warn(
          { event: 'notification_sent', code: a.code, subcode: a.subcode },
          `NOTIFICATION sent: ${describeNotification(a.code, a.subcode)}`,
        );
        this.send(encodeNotification({ code: a.code, subcode: a.subcode, data: a.data ?? Buffer.alloc(0) }));
        return;
      case 'start-timer':
        if (a.timer === 'hold') this.armHold(a.ms);
        else this.arm(a.timer, a.ms);
        return;
      case 'stop-timer':
        if (a.timer === 'hold') this.disarmHold();
        else this.disarm(a.timer);
        return;
      case 'deliver-update':
        if (msg) {
          try {
            this.opts.owner.update(this, msg);
          } catch (err) {
            this.messageError(err);
          }
        }
        return;
      case 'session-up':
        this.establishedAt = this.opts.clock.now();
        this.opts.owner.established(this);
        return;
      case 'close':
        this.finish(a.reason, a.detail, a.wasEstablished);
        return;
    }
  }

  private arm(timer: Exclude<TimerName, 'hold'>, ms: number): void {
    this.timers.get(timer)?.cancel();
    const ev: FsmEvent = timer === 'keepalive' ? { type: 'KeepaliveTimerExpired' } : { type: 'ConnectRetryTimerExpired' };
    this.timers.set(
      timer,
      this.opts.clock.setTimeout(() => {
        this.timers.delete(timer);
        this.handle(ev);
      }, ms),
    );
  }

  private disarm(timer: TimerName): void {
    this.timers.get(timer)?.cancel();
    this.timers.delete(timer);
  }

  private armHold(ms: number): void {
    const now = this.opts.clock.now();
    this.holdDeadline = now + ms;
    if (this.holdTimer && this.holdTimer.at <= this.holdDeadline) return; // fires first, then re-arms
    this.holdTimer?.handle.cancel();
    this.scheduleHold(ms);
  }

  private scheduleHold(ms: number): void {
    const at = this.opts.clock.now() + ms;
    const handle = this.opts.clock.setTimeout(() => {
      this.holdTimer = undefined;
      const left = this.holdDeadline - this.opts.clock.now();
      if (left > 0) this.scheduleHold(left);
      else this.handle({ type: 'HoldTimerExpired' });
    }, ms);
    this.holdTimer = { handle, at };
  }

  private disarmHold(): void {
    this.holdTimer?.handle.cancel();
    this.holdTimer = undefined;
  }

  private finish(reason: PeerDownReason, detail: string, wasEstablished: boolean): void {
    if (this.finished) return;
    this.finished = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.disarmHold();
    const sock = this.socket;
    // Let a queued NOTIFICATION reach the peer, then make sure the socket goes away.
    if (!sock.destroyed) {
      sock.end();
      const t = setTimeout(() => sock.destroy(), 2000);
      t.unref();
      sock.once('close', () => clearTimeout(t));
    }
    const notification =
      reason === 'notification-received' || reason === 'notification-sent' || reason === 'hold-timer-expired' || reason === 'admin-shutdown'
        ? this.lastNotification
        : undefined;
    const end: SessionEnd = { reason, detail, wasEstablished, state: this.before, bytesReceived: sock.bytesRead };
    this.opts.owner.closed(this, notification ? { ...end, notification } : end);
  }
}
