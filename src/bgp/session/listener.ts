// Passive side: one TCP server per configured address. Accepted sockets go to the speaker, which matches the
// source against the neighbours and ranges. With TCP-MD5 keys the listening socket is made in libc with the keys
// set before listen(), so no SYN is ever accepted without them; later key changes go onto the same socket (they
// apply to new connections; an accepted socket keeps the key it was accepted with).
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../base/log.js';
import { errorMessage } from '../../base/errors.js';
import { parseAddress, type Family } from '../../net/address.js';
import { formatPrefix } from '../../net/prefix.js';
import { createListenFd } from '../../sockopt/md5-sockets.js';
import { serverFd } from '../../sockopt/fds.js';
import { deleteTcpMd5Key, setTcpMd5Key, type TcpMd5Key } from '../../sockopt/tcp-md5.js';

export interface ListenAddress {
  readonly address: string;
  /** 0 picks a free port (tests); read the bound one from BgpListener.port. */
  readonly port: number;
}

export class BgpListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** TCP-MD5 keys on the listening socket, by prefix. */
  private readonly keys = new Map<string, TcpMd5Key>();
  readonly family: Family;

  private constructor(
    server: Server,
    readonly address: string,
    readonly port: number,
  ) {
    this.server = server;
    this.family = parseAddress(address).family;
  }

  /**
   * Binds and listens; rejects with the OS error (EADDRINUSE, EACCES for port 179 without privileges...). With
   * keys, the socket carries them from before listen() (the keys must suit the family: see md5-keys.ts).
   */
  static async open(
    at: ListenAddress,
    onConnection: (socket: Socket) => void,
    logger: Logger,
    keys: readonly TcpMd5Key[] = [],
  ): Promise<BgpListener> {
    const server = createServer({ noDelay: true });
    const fd = keys.length > 0 ? createListenFd(parseAddress(at.address), at.port, keys) : undefined;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => reject(err);
      server.once('error', fail);
      server.listen(fd !== undefined ? { fd } : { host: at.address, port: at.port, exclusive: true }, () => {
        server.off('error', fail);
        resolve();
      });
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : at.port;
    const l = new BgpListener(server, at.address, port);
    for (const k of keys) l.keys.set(formatPrefix(k.prefix), k);
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

  /**
   * Makes the listening socket's keys exactly `keys`: new and changed ones are set, dropped ones deleted. Sessions
   * already accepted keep theirs. Returns how many keys were set and deleted.
   */
  setKeys(keys: readonly TcpMd5Key[]): { set: number; deleted: number } {
    const want = new Map(keys.map((k) => [formatPrefix(k.prefix), k]));
    let set = 0;
    let deleted = 0;
    if (want.size === 0 && this.keys.size === 0) return { set, deleted };
    const fd = serverFd(this.server);
    for (const [text, k] of want) {
      if (this.keys.get(text)?.key.equals(k.key)) continue;
      setTcpMd5Key(fd, k, this.family);
      this.keys.set(text, k);
      set++;
    }
    for (const [text, k] of [...this.keys]) {
      if (want.has(text)) continue;
      deleteTcpMd5Key(fd, k.prefix, this.family);
      this.keys.delete(text);
      deleted++;
    }
    return { set, deleted };
  }

  /** Prefixes that have a key on this listener (for status; never the keys). */
  keyedPrefixes(): string[] {
    return [...this.keys.keys()];
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
