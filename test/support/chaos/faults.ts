// The faults a chaos scenario or the soak run injects into a ChaosWorld, each with what it means for the ground
// truth: which hosts are dead while it lasts (traffic sent to them is lost), how long bgp2vpc may take to see it,
// and whether EC2 is impaired (writes may wait until it heals).
import { GR_S, HOLD_S, PROBE, type ChaosWorld } from './world.js';

export type FaultKind =
  | 'link-down'
  | 'cable-pulled'
  | 'partition'
  | 'freeze'
  | 'reboot'
  | 'daemon-stop'
  | 'lossy'
  | 'slow-link'
  | 'ec2-partition'
  | 'ec2-frozen'
  | 'ec2-slow'
  | 'ec2-throttled'
  | 'ec2-5xx'
  | 'bgp2vpc-kill';

export const FAULT_KINDS: readonly FaultKind[] = [
  'link-down',
  'cable-pulled',
  'partition',
  'freeze',
  'reboot',
  'daemon-stop',
  'lossy',
  'slow-link',
  'ec2-partition',
  'ec2-frozen',
  'ec2-slow',
  'ec2-throttled',
  'ec2-5xx',
  'bgp2vpc-kill',
];

export interface Fault {
  readonly kind: FaultKind;
  /** The host it hits (host faults). */
  readonly host?: number;
  /** Hosts whose traffic is lost while the fault lasts. */
  readonly dead: ReadonlySet<number>;
  /** Hosts whose session may come and go while the fault lasts (and until quiet after it): neither required nor
   * forbidden as next hops. */
  readonly exempt: ReadonlySet<number>;
  /** How long bgp2vpc may take to act on it (detection plus the EC2 write), while EC2 is healthy. */
  readonly detectMs: number;
  /** EC2 is impaired: writes may wait until heal(). */
  readonly ec2: boolean;
  heal(): Promise<void>;
}

/** Probe detection, timer lateness, debounce and the write on a loaded 2-core machine. */
const PROBE_DETECT_MS = PROBE.fall * PROBE.intervalMs + PROBE.timeoutMs + 4_000;
/**
 * A frozen daemon still completes TCP handshakes: when its listen queue does not fill (FRR, like GoBGP), only the
 * hold timer sees it, and a session lost to the hold timer is a graceful restart (RFC 4724; RFC 8538 §4), so its
 * paths stay, stale, for the restart time before they go: hold + restart time, then the same margin as above.
 */
const HOLD_DETECT_MS = (HOLD_S + GR_S) * 1000 + 4_000;

/** Injects one fault; heal() undoes it (the caller then waits for the world to be quiet). */
export async function inject(world: ChaosWorld, kind: FaultKind, host: number): Promise<Fault> {
  const h = world.bed.host(host);
  const emu = world.emu.faults;
  const onHost = (dead: boolean, detectMs: number, heal: () => Promise<void>): Fault => ({
    kind,
    host,
    dead: new Set(dead ? [host] : []),
    exempt: new Set(dead ? [] : [host]),
    detectMs,
    ec2: false,
    heal,
  });
  const onEc2 = (heal: () => void | Promise<void>): Fault => ({
    kind,
    dead: new Set(),
    exempt: new Set(),
    detectMs: 0,
    ec2: true,
    heal: async () => {
      await heal();
    },
  });
  switch (kind) {
    case 'link-down':
      await h.linkDown('host');
      return onHost(true, PROBE_DETECT_MS, () => h.linkUp('host'));
    case 'cable-pulled':
      await h.linkDown('bridge');
      return onHost(true, PROBE_DETECT_MS, () => h.linkUp('bridge'));
    case 'partition':
      await h.partition();
      return onHost(true, PROBE_DETECT_MS, () => h.heal());
    case 'freeze':
      await h.freeze();
      return onHost(true, HOLD_DETECT_MS, () => h.thaw());
    case 'reboot':
      // SIGKILL and straight back with graceful restart (BIRD -R, FRR): bgp2vpc keeps the routes (stale) through
      // it. Back before anything has to move, so nothing is required of bgp2vpc but to stay consistent.
      await h.restartPeer({ kill: true });
      return onHost(false, 0, () => Promise.resolve());
    case 'daemon-stop':
      // SIGTERM: the daemon says goodbye (Cease), its routes go at once, and it stays down until healed.
      await h.stopPeer();
      return onHost(true, PROBE_DETECT_MS, () => h.restartPeer({ kill: false }));
    case 'lossy':
      // 20 % loss each way: the host lives; bgp2vpc may or may not move away from it (both are fine).
      await h.loss(20);
      return onHost(false, 0, () => h.heal());
    case 'slow-link':
      // The wire host: 40 ± 10 ms each way and 10 % reordering, well inside the probe timeout.
      await h.netem({ delayMs: 40, jitterMs: 10, reorderPct: 10 });
      return onHost(false, 0, () => h.netemClear());
    case 'ec2-partition': {
      const port = world.bridge.port('ec2');
      await world.bed.blockControllerPort(port);
      return onEc2(() => world.bed.unblockControllerPort(port));
    }
    case 'ec2-frozen':
      emu.freeze(true);
      return onEc2(() => emu.freeze(false));
    case 'ec2-slow':
      emu.latency(3_000, 1_000);
      return onEc2(() => emu.latency(0));
    case 'ec2-throttled':
      emu.throttle({ mutating: { burst: 2, perSecond: 0.5 }, describe: { burst: 5, perSecond: 1 } });
      return onEc2(() => emu.throttle(false));
    case 'ec2-5xx':
      emu.errorRate(0.5, Date.now() & 0xffff);
      return onEc2(() => emu.errorRate(0));
    case 'bgp2vpc-kill':
      // kill -9 bgp2vpc and start it again: the hosts reconnect, and it must find the table it left (no write
      // beyond the bound, no foreign route touched, nothing routed to a host that does not announce it).
      await world.restartDaemon();
      return { kind, dead: new Set(), exempt: new Set(), detectMs: 0, ec2: false, heal: () => Promise.resolve() };
  }
}

/** The fault kinds that hit a host, and those that need the userspace wire. */
export const needsWire = (k: FaultKind): boolean => k === 'slow-link';
/** Not an EC2 fault: it acts at once (a host's or bgp2vpc's), without the compound host stop of EC2 faults. */
export const isHostFault = (k: FaultKind): boolean => !k.startsWith('ec2-');
