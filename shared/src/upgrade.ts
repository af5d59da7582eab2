import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERRORS, type ErrorCode } from './errors.js';
import { errorsCounter } from './metrics.js';

/** Refuses a WebSocket upgrade with the error's HTTP status and an `{error:{code,message}}` body, then closes the socket. */
export function rejectUpgrade(socket: Duplex, code: ErrorCode, message: string): void {
  const { httpStatus } = ERRORS[code];
  errorsCounter.inc({ code });
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${httpStatus} ${STATUS_CODES[httpStatus] ?? code}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The part of a `ws` WebSocket that `closedWithin` needs. */
interface ClosableSocket {
  readonly readyState: number;
  readonly CLOSED: number;
  terminate(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** Resolves when `ws` has closed, terminating it if the close handshake takes longer than `ms`. */
export function closedWithin(ws: ClosableSocket, ms: number): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), ms);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
