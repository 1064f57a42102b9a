// Ending connections politely: refusing one with a Cease before any session exists (RFC 4486), the RFC 9003
// shutdown communication of an administrative stop, and waiting for a socket to go away.
import type { Socket } from 'node:net';
import { encodeNotification } from '../wire/index.js';
import { ErrorCode } from '../wire/constants.js';

export function shutdownData(message: string | undefined): Buffer | undefined {
  if (!message) return undefined;
  // RFC 9003 §2: one length octet, then at most 255 bytes of UTF-8, cut on a character boundary.
  let b = Buffer.from(message, 'utf8');
  if (b.length > 255) {
    let end = 255;
    while (end > 0 && ((b[end] as number) & 0xc0) === 0x80) end--;
    b = b.subarray(0, end);
  }
  return Buffer.concat([Buffer.from([b.length]), b]);
}

/** Refuses a connection without a session: NOTIFICATION Cease/subcode first (RFC 4486), then close. */
export function rejectSocket(socket: Socket, subcode: number): void {
  socket.on('error', () => undefined);
  socket.end(encodeNotification({ code: ErrorCode.CEASE, subcode }));
  const t = setTimeout(() => socket.destroy(), 2000);
  t.unref();
  socket.once('close', () => clearTimeout(t));
}

export function waitClosed(socket: Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
