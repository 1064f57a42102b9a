// A simulated host's "health port": a TCP listener on the host's own loopback address that accepts and closes
// connections, so TCP health probes succeed. Closing it makes probes fail (a dead host); open() revives it.
import { createServer, type Server, type Socket } from 'node:net';

export class HealthPort {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly address: string,
    readonly port: number,
  ) {}

  get isOpen(): boolean {
    return this.server !== undefined;
  }

  open(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = createServer((sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      sock.on('error', () => sock.destroy());
      sock.end();
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.address, port: this.port, exclusive: true }, () => {
        server.off('error', reject);
        this.server = server;
        resolve();
      });
    });
  }

  /** Stops listening and resets open connections: the next probe gets "connection refused". */
  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = undefined;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
