// The part of a NamespaceBridge (namespace-bridge.ts) that runs inside a network namespace, started there with
// nsenter. Unix sockets live in the filesystem, which namespaces share, so they carry TCP across without any
// network change in the root namespace:
//   in:  listen on 127.0.0.1:0 here → connect to a Unix socket the root side serves (a root service, e.g. EC2)
//   out: listen on a Unix socket → connect to host:port here (a service in the namespace, e.g. bgp2vpc's API)
// Argument: JSON { in: [{ name, path }], out: [{ name, path, host, port }] }. Prints one JSON line with the ports
// it listens on ({ name: port }), then serves until its stdin closes (the test process is gone) or SIGTERM.
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface ForwardSpec {
  readonly in: readonly { readonly name: string; readonly path: string }[];
  readonly out: readonly { readonly name: string; readonly path: string; readonly host: string; readonly port: number }[];
}

export function splice(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

function listen(s: Server, target: { port: number; host: string } | string): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    if (typeof target === 'string') s.listen(target, resolve);
    else s.listen(target.port, target.host, resolve);
  });
}

async function main(spec: ForwardSpec): Promise<void> {
  const ports: Record<string, number> = {};
  for (const f of spec.in) {
    const s = createServer((c) => splice(c, createConnection({ path: f.path })));
    await listen(s, { host: '127.0.0.1', port: 0 });
    ports[f.name] = (s.address() as AddressInfo).port;
  }
  for (const f of spec.out) {
    const s = createServer((c) => splice(c, createConnection({ host: f.host, port: f.port })));
    await listen(s, f.path);
  }
  process.stdout.write(`${JSON.stringify(ports)}\n`);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  process.on('SIGTERM', () => process.exit(0));
}

if (process.argv[1]?.endsWith('ns-forward.ts') === true && process.argv[2] !== undefined) {
  main(JSON.parse(process.argv[2]) as ForwardSpec).catch((e: unknown) => {
    process.stderr.write(`ns-forward: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
