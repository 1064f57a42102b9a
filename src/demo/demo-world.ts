// Everything the demo runs in this process: the EC2 emulator with the demo VPC, bgp2vpc itself (config/demo.yaml),
// and six simulated hosts with their health ports. Knows how to take a snapshot for the live view.
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../sim/ec2/emulator.js';
import { loadConfig, type Config } from '../config/index.js';
import { runDaemon, type RunningDaemon } from '../daemon/run-daemon.js';
import { createEmulatorEc2Client } from '../vpc/ec2-client.js';
import { SimHost } from '../sim/peer/sim-host.js';
import { HealthPort } from '../sim/peer/health-port.js';
import { comparePrefixes, parsePrefix } from '../net/prefix.js';
import { DEMO_CONTROLLER, DEMO_HOSTS, DEMO_TABLE_ID, demoState, type DemoHost } from './demo-vpc.js';
import { LogCapture } from './log-capture.js';
import type { ViewCall, ViewRoute } from './view.js';

export interface WorldOptions {
  readonly apiPort: number;
  /** Scenario speed: the settle time shrinks with it. */
  readonly speed: number;
}

export interface Host {
  readonly def: DemoHost;
  readonly sim: SimHost;
  readonly health: HealthPort;
}

export const DEMO_CONFIG_PATH = fileURLToPath(new URL('../../config/demo.yaml', import.meta.url));

export class DemoWorld {
  /** performance.now() at start: the emulator's call log uses the same (system) clock. */
  readonly startedAt = performance.now();
  private readonly eniToHost = new Map<string, string>();

  private constructor(
    readonly emu: Emulator,
    readonly daemon: RunningDaemon,
    readonly config: Config,
    readonly hosts: ReadonlyMap<string, Host>,
    readonly bgpPort: number,
    readonly capture: LogCapture,
  ) {
    for (const h of DEMO_HOSTS) {
      const eni = emu.names.get(`${h.name}.eni`);
      if (eni) this.eniToHost.set(eni, h.name);
    }
  }

  static async start(opts: WorldOptions, capture = new LogCapture()): Promise<DemoWorld> {
    const emu = await startEmulator({ host: '127.0.0.1', port: 0, state: demoState() });
    try {
      const file = loadConfig(DEMO_CONFIG_PATH, { env: { ...process.env, BGP2VPC_DEMO_ENDPOINT: emu.endpoint } });
      // The demo binds a free BGP port (several demos or tests may run at once) and the API port asked for.
      const config: Config = {
        ...file,
        bgp: { ...file.bgp, listen: file.bgp.listen.map((l) => ({ ...l, port: 0 })) },
        routes: { ...file.routes, settleTime: Math.max(500, Math.round(file.routes.settleTime / opts.speed)) },
        api: { ...file.api, listen: `127.0.0.1:${opts.apiPort}` },
      };
      const daemon = await runDaemon(config, { logger: capture.logger, ec2: createEmulatorEc2Client(emu.endpoint) });
      const bgpPort = daemon.parts.speaker.addresses()[0]?.port ?? 0;
      const healthPort = config.health.profiles[config.health.defaultProfile]?.port ?? 9179;
      const hosts = new Map<string, Host>();
      for (const def of DEMO_HOSTS) {
        hosts.set(def.name, {
          def,
          sim: new SimHost({
            name: def.name,
            localAddress: def.ip,
            remoteHost: DEMO_CONTROLLER,
            remotePort: bgpPort,
            asn: def.asn,
            hostname: def.name,
            holdTime: 9,
          }),
          health: new HealthPort(def.ip, healthPort),
        });
      }
      return new DemoWorld(emu, daemon, config, hosts, bgpPort, capture);
    } catch (err) {
      await emu.stop();
      throw err;
    }
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no demo host ${name}`);
    return h;
  }

  eni(name: string): string | undefined {
    return this.emu.names.get(`${name}.eni`);
  }

  hostOfEni(eni: string | undefined): string | undefined {
    return eni === undefined ? undefined : this.eniToHost.get(eni);
  }

  /** Which host the route table sends an address to (longest prefix match), or undefined. */
  routeFor(address: string): string | undefined {
    return this.hostOfEni(this.emu.model.routeForAddress(DEMO_TABLE_ID, address)?.networkInterfaceId);
  }

  /** The table as the view shows it: routes of others first, then ours by address. */
  routes(): ViewRoute[] {
    const rows = this.emu.model.routesOf(DEMO_TABLE_ID).map((r) => {
      const target = r.networkInterfaceId ?? r.instanceId ?? r.natGatewayId ?? r.gatewayId ?? r.targetKind;
      const host = this.hostOfEni(r.networkInterfaceId);
      const ours = r.networkInterfaceId !== undefined || r.instanceId !== undefined;
      return { destination: r.destination, target, ...(host ? { host } : {}), state: r.state, ours };
    });
    const others = rows.filter((r) => !r.ours);
    const ours = rows.filter((r) => r.ours).sort((a, b) => comparePrefixes(parsePrefix(a.destination), parsePrefix(b.destination)));
    return [...others, ...ours];
  }

  /** Mutating calls, with times relative to `originWallMs` (a Date.now() reading). */
  mutatingCalls(originWallMs: number): ViewCall[] {
    return this.emu.calls
      .filter((c) => c.mutating)
      .map((c) => {
        const dest = c.params.DestinationCidrBlock ?? c.params.DestinationIpv6CidrBlock ?? '';
        const eni = c.params.NetworkInterfaceId;
        const host = this.hostOfEni(eni);
        const detail =
          c.action === 'CreateTags' ? `${c.params['ResourceId.1'] ?? ''} (claim the table)` : `${dest}${eni ? ` → ${host ?? eni}` : ''}`;
        return { at: performance.timeOrigin + c.time - originWallMs, action: c.action, detail, outcome: c.outcome };
      });
  }

  callTotals(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [action, byOutcome] of Object.entries(this.emu.counters()))
      out[action] = Object.values(byOutcome).reduce((a, b) => a + b, 0);
    return out;
  }

  /** Stops hosts, the daemon (Cease to peers, no route deleted) and the emulator. */
  async stop(): Promise<void> {
    await this.daemon.stop();
    for (const h of this.hosts.values()) {
      h.sim.kill();
      await h.health.close();
    }
    await this.emu.stop();
  }
}
