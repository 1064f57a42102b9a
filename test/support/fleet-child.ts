// The fleet process: simulated BGP hosts (src/sim/peer) driven over IPC by test/support/fleet.ts.
import { SimHost } from '../../src/sim/peer/sim-host.js';
import { HealthPort } from '../../src/sim/peer/health-port.js';
import { errorMessage } from '../../src/base/errors.js';
import { makePrefix, parsePrefix, type Prefix } from '../../src/net/prefix.js';
import type { FleetHostStatus, FleetReply, FleetRequest, PrefixRange } from './fleet-protocol.js';

const hosts = new Map<string, { sim: SimHost; health: HealthPort | undefined }>();

/**
 * Connection attempts per host, as a real BGP speaker retries (ConnectRetry): a receiver busy with thousands of
 * connections at once may reset some (BIRD does at 5,000). One second apart, plus up to a second of jitter.
 */
const CONNECT_ATTEMPTS = 5;

function reply(r: FleetReply): void {
  process.send?.(r);
}

function prefixesOf(p: readonly string[] | PrefixRange): Prefix[] {
  if (Array.isArray(p)) return (p as readonly string[]).map((s) => parsePrefix(s));
  const r = p as PrefixRange;
  const base = parsePrefix(`${r.base}/${r.len}`).addr;
  const step = 1n << BigInt(32 - r.len);
  return Array.from({ length: r.count }, (_, i) => makePrefix('ipv4', base + BigInt(i) * step, r.len));
}

function host(name: string): SimHost {
  const h = hosts.get(name);
  if (!h) throw new Error(`no host ${name}`);
  return h.sim;
}

async function handle(m: FleetRequest): Promise<Omit<FleetReply, 'id'>> {
  switch (m.op) {
    case 'start': {
      const t0 = performance.now();
      const todo = [...m.hosts].reverse();
      const errors: string[] = [];
      let failed = 0;
      let retried = 0;
      const worker = async (): Promise<void> => {
        for (let spec = todo.pop(); spec; spec = todo.pop()) {
          const health = spec.healthPort !== undefined ? new HealthPort(spec.localAddress, spec.healthPort) : undefined;
          for (let attempt = 1; ; attempt++) {
            const sim = new SimHost({
              name: spec.name,
              localAddress: spec.localAddress,
              remoteHost: m.remote.host,
              remotePort: m.remote.port,
              asn: spec.asn,
              holdTime: spec.holdTime,
              families: ['ipv4'],
              connectTimeoutMs: 30_000,
            });
            try {
              if (attempt === 1) await health?.open();
              hosts.set(spec.name, { sim, health });
              if (spec.announce) sim.announce(spec.announce, spec.nextHop !== undefined ? { nextHop: spec.nextHop } : {});
              await sim.start();
              break;
            } catch (err) {
              await sim.stop({ notify: false }).catch(() => undefined);
              if (attempt >= CONNECT_ATTEMPTS) {
                failed++;
                if (errors.length < 5) errors.push(`${spec.name}: ${errorMessage(err)} (${attempt} attempts)`);
                break;
              }
              retried++;
              await new Promise((r) => setTimeout(r, 1000 + Math.random() * 1000));
            }
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, m.concurrency) }, worker));
      return { ok: true, ms: performance.now() - t0, failed, errors, retried };
    }
    case 'announce':
      host(m.host).announce(prefixesOf(m.prefixes), m.nextHop !== undefined ? { nextHop: m.nextHop } : {});
      return { ok: true };
    case 'withdraw':
      host(m.host).withdraw(prefixesOf(m.prefixes));
      return { ok: true };
    case 'storm': {
      const sim = host(m.host);
      const p = parsePrefix(m.prefix);
      for (let i = 0; i < m.count; i++) {
        if (i % 2 === 0) sim.announce([p]);
        else sim.withdraw([p]);
      }
      return { ok: true };
    }
    case 'freeze':
      for (const name of m.hosts) {
        const h = hosts.get(name);
        h?.sim.freeze();
        await h?.health?.close();
      }
      return { ok: true };
    case 'status': {
      const list: FleetHostStatus[] = [...hosts.values()].map(({ sim }) => ({
        name: sim.name,
        state: sim.state,
        sessions: sim.sessions,
        notifications: sim.notificationsReceived.map((n) => `${n.code}/${n.subcode}`),
      }));
      const cpu = process.cpuUsage();
      return { ok: true, hosts: list, rssBytes: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000 };
    }
    case 'stop':
      await Promise.all(
        [...hosts.values()].map(async ({ sim, health }) => {
          await sim.stop({ notify: true }).catch(() => undefined);
          await health?.close();
        }),
      );
      hosts.clear();
      return { ok: true };
  }
}

process.on('message', (m: FleetRequest & { id: number }) => {
  handle(m).then(
    (r) => reply({ id: m.id, ...r }),
    (err: unknown) => reply({ id: m.id, ok: false, error: errorMessage(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
