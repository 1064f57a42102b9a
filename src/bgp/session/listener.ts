// Passive side: one TCP server per configured address. Accepted sockets go to the speaker, which matches the
// source against the neighbours and ranges.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../base/log.js';
import { errorMessage } from '../../base/errors.js';

export interface ListenAddress {
  readonly address: string;
  /** 0 picks a free port (tests); read the bound one from BgpListener.port. */
  readonly port: number;
}

export class BgpListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(
    server: Server,
    readonly address: string,
    readonly port: number,
  ) {
    this.server = server;
  }

  /** Binds and listens; rejects with the OS error (EADDRINUSE, EACCES for port 179 without privileges...). */
  static async open(at: ListenAddress, onConnection: (socket: Socket) => void, logger: Logger): Promise<BgpListener> {
    const server = createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => reject(err);
      server.once('error', fail);
      server.listen({ host: at.address, port: at.port, exclusive: true }, () => {
        server.off('error', fail);
        resolve();
      });
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : at.port;
    const l = new BgpListener(server, at.address, port);
    server.on('error', (err) =>
      logger.error({ event: 'listener_error', err: errorMessage(err) }, `listener ${at.address}:${port}: ${errorMessage(err)}`),
    );
    server.on('connection', (socket) => {
      l.sockets.add(socket);
      socket.once('close', () => l.sockets.delete(socket));
      try {
        onConnection(socket);
      } catch (err) {
        logger.error({ event: 'accept_error', err: errorMessage(err) }, `accepting a connection failed: ${errorMessage(err)}`);
        socket.destroy();
      }
    });
    logger.info({ event: 'listening', address: at.address, port }, `BGP listening on ${at.address} port ${port}`);
    return l;
  }

  /** Stops accepting; existing sessions are closed by their peers. Resolves when the server is closed. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Destroys whatever socket is still open (after the graceful stop had its chance). */
  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
  }
}
