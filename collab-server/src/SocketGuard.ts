import type WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import { ERRORS } from '@coderoom/shared';

/** Most distinct documents one socket may open. */
export const MAX_DOCUMENTS_PER_SOCKET = 200;
/** Most bytes a socket may send for documents it has not authenticated (Hocuspocus queues them). */
export const MAX_UNAUTHENTICATED_BYTES = 1024 * 1024;

/**
 * Bounds what a /collab socket can make the server hold before authentication: Hocuspocus
 * queues every message for a document until its Auth message is handled, so without this a
 * client could grow that queue, or the number of documents, without limit (SPEC SEC3).
 */
export class SocketGuard {
  private readonly documents = new Set<string>();
  private readonly authenticated = new Set<string>();
  private unauthenticatedBytes = 0;

  constructor(private readonly ws: WebSocket) {
    // Registered before Hocuspocus's own listener, so a bad frame is answered with our code first.
    ws.on('message', (data: Buffer, isBinary: boolean | undefined) => this.inspect(data, isBinary));
  }

  /** Marks a document as authenticated on this socket. */
  authenticatedDocument(name: string): void {
    this.authenticated.add(name);
  }

  private inspect(data: Buffer, isBinary: boolean | undefined): void {
    // Hocuspocus replays queued frames with `emit('message', data)` and no isBinary: already seen.
    if (isBinary === undefined) return;
    if (!isBinary) return this.reject(ERRORS.BAD_REQUEST.closeCode, 'BAD_REQUEST: text frames are not part of the protocol');
    let name: string;
    try {
      name = decoding.readVarString(decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    } catch {
      return this.reject(ERRORS.BAD_REQUEST.closeCode, 'BAD_REQUEST: undecodable frame');
    }
    if (!this.documents.has(name)) {
      if (this.documents.size >= MAX_DOCUMENTS_PER_SOCKET) return this.reject(ERRORS.RATE_LIMITED.closeCode, 'RATE_LIMITED: too many documents on one socket');
      this.documents.add(name);
    }
    if (!this.authenticated.has(name)) {
      this.unauthenticatedBytes += data.byteLength;
      if (this.unauthenticatedBytes > MAX_UNAUTHENTICATED_BYTES) this.reject(ERRORS.PAYLOAD_TOO_LARGE.closeCode, 'PAYLOAD_TOO_LARGE: too much data before authentication');
    }
  }

  private reject(code: number, reason: string): void {
    this.ws.close(code, reason);
    // A client that ignores the close handshake is cut off.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }
}
