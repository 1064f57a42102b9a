// TCP between the root namespace (where the test and the EC2 emulator run) and a testbed namespace (where bgp2vpc
// runs), with no network change in the root namespace: TCP → Unix socket → TCP, through a small forwarder
// process inside the namespace (ns-forward.ts).
//
//   const bridge = await NamespaceBridge.start(bed.controllerNs, {
//     in: { ec2: { host: '127.0.15.1', port: emu.port } },     // the emulator, at 127.0.0.1:bridge.port('ec2') inside
//     out: { api: { port: 33289 }, },                          // bgp2vpc's API in the namespace, at bridge.url('api')
//     rootHost: '127.0.15.1',
//   });
//   bridge.freeze('ec2'); bridge.thaw('ec2');                 // EC2 stops answering (connections stay open)
//   await bridge.close();
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ForwardSpec } from './ns-forward.js';

const FORWARDER = fileURLToPath(new URL('./ns-forward.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface BridgeOptions {
  /** Root-namespace services made reachable inside the namespace (at 127.0.0.1:port(name)). */
  readonly in?: Readonly<Record<string, { readonly host: string; readonly port: number }>>;
  /** Namespace services made reachable from the root namespace (at rootHost:port(name)). */
  readonly out?: Readonly<Record<string, { readonly host?: string; readonly port: number }>>;
  /** Root-namespace address the `out` services listen on (default 127.0.0.1). */
  readonly rootHost?: string;
}

interface Link {
  readonly server: Server;
  readonly pairs: Set<[Socket, Socket]>;
  frozen: boolean;
}

export class NamespaceBridge {
  private readonly ports = new Map<string, number>();
  private readonly links = new Map<string, Link>();
  private child: ChildProcess | undefined;
  private readonly exitHook = (): void => rmSync(this.dir, { recursive: true, force: true });

  private constructor(
    private readonly dir: string,
    private readonly rootHost: string,
  ) {
    process.once('exit', this.exitHook);
  }

  static async start(ns: string, o: BridgeOptions): Promise<NamespaceBridge> {
    const dir = mkdtempSync(join(tmpdir(), 'b2v-bridge-'));
    const b = new NamespaceBridge(dir, o.rootHost ?? '127.0.0.1');
    try {
      const spec: ForwardSpec = {
        in: Object.keys(o.in ?? {}).map((name) => ({ name, path: join(dir, `in-${name}`) })),
        out: Object.entries(o.out ?? {}).map(([name, t]) => ({
          name,
          path: join(dir, `out-${name}`),
          host: t.host ?? '127.0.0.1',
          port: t.port,
        })),
      };
      // Root side of `in`: a Unix server per service, spliced to the real TCP service.
      for (const [name, t] of Object.entries(o.in ?? {})) {
        await b.serve(name, join(dir, `in-${name}`), () => createConnection({ host: t.host, port: t.port }));
      }
      const child = spawn(
        'nsenter',
        [`--net=/run/netns/${ns}`, '--', process.execPath, '--import', 'tsx', FORWARDER, JSON.stringify(spec)],
        {
          cwd: ROOT,
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
      b.child = child;
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const nl = out.indexOf('\n');
          if (nl >= 0) resolve(out.slice(0, nl));
        });
        child.once('exit', (code) => reject(new Error(`namespace forwarder exited with ${String(code)}`)));
      });
      for (const [name, port] of Object.entries(JSON.parse(line) as Record<string, number>)) b.ports.set(name, port);
      // Root side of `out`: a TCP server per service on rootHost, spliced to the forwarder's Unix socket.
      for (const name of Object.keys(o.out ?? {})) {
        const port = await b.serve(name, { host: b.rootHost, port: 0 }, () => createConnection({ path: join(dir, `out-${name}`) }));
        b.ports.set(name, port);
      }
      return b;
    } catch (e) {
      await b.close();
      throw e;
    }
  }

  /** `in`: the port inside the namespace (on 127.0.0.1); `out`: the port in the root namespace (on rootHost). */
  port(name: string): number {
    const p = this.ports.get(name);
    if (p === undefined) throw new Error(`no bridged service ${name}`);
    return p;
  }

  /** http://rootHost:port for an `out` service, http://127.0.0.1:port (inside the namespace) for an `in` one. */
  url(name: string): string {
    return `http://${this.links.has(`out:${name}`) ? this.rootHost : '127.0.0.1'}:${this.port(name)}`;
  }

  /** Stops moving bytes for a service: connections open and stay open, requests get no answer (a frozen server). */
  freeze(name: string): void {
    const l = this.link(name);
    l.frozen = true;
    for (const [a, b] of l.pairs) stop(a, b);
  }

  thaw(name: string): void {
    const l = this.link(name);
    l.frozen = false;
    for (const [a, b] of l.pairs) flow(a, b);
  }

  async close(): Promise<void> {
    for (const l of this.links.values()) {
      for (const [a, b] of l.pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((r) => l.server.close(() => r()));
    }
    this.links.clear();
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      await gone;
    }
    process.removeListener('exit', this.exitHook);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private link(name: string): Link {
    const l = this.links.get(`in:${name}`) ?? this.links.get(`out:${name}`);
    if (!l) throw new Error(`no bridged service ${name}`);
    return l;
  }

  private async serve(name: string, at: string | { host: string; port: number }, connect: () => Socket): Promise<number> {
    const pairs = new Set<[Socket, Socket]>();
    const link: Link = { server: createServer(), pairs, frozen: false };
    link.server.on('connection', (c) => {
      const pair: [Socket, Socket] = [c, connect()];
      pairs.add(pair);
      c.once('close', () => pairs.delete(pair));
      linkUp(pair[0], pair[1]);
      if (!link.frozen) flow(pair[0], pair[1]);
    });
    await new Promise<void>((resolve, reject) => {
      link.server.once('error', reject);
      if (typeof at === 'string') link.server.listen(at, resolve);
      else link.server.listen(at.port, at.host, resolve);
    });
    this.links.set(`${typeof at === 'string' ? 'in' : 'out'}:${name}`, link);
    return typeof at === 'string' ? 0 : (link.server.address() as AddressInfo).port;
  }
}

/** Closing or failing either socket closes the other. Bytes flow only after flow(). */
function linkUp(a: Socket, b: Socket): void {
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

function flow(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
}

/** Unpiped and paused: nothing more is read (a pipe's own drain handler would resume a merely paused source). */
function stop(a: Socket, b: Socket): void {
  a.unpipe(b);
  b.unpipe(a);
  a.pause();
  b.pause();
}
