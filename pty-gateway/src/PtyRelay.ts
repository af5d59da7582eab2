import { WebSocket, type RawData } from 'ws';
import { ERRORS, PTY_CLOSE_REASONS } from '@coderoom/shared/client';
import type { Logger } from '@coderoom/shared';

/** Header a relaying node sets on its hop to the owner; a relayed socket is never relayed again (no loops). */
export const RELAY_HEADER = 'x-coderoom-relay';
/** How often a paused side checks whether the other side's backlog has drained, in ms. */
export const RELAY_DRAIN_POLL_MS = 10;

/** Close codes a peer may be sent (RFC 6455 7.4: 1005, 1006 and 1015 are never sent). */
function sendableCode(code: number): boolean {
  return (code >= 3000 && code <= 4999) || [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011].includes(code);
}

/**
 * Scale-out (PTY18): pipes a client's /pty socket to the room owner's /pty, frames as they are,
 * both ways. The owner runs the protocol (token, roles, snapshots, per-viewer queues, audit);
 * this node only checked the Origin and the hello's token. Each side is paused while the other's
 * send buffer is above `highWaterBytes`; a close on one side closes the other with the same code
 * and reason, and an owner that cannot be reached or goes away abnormally closes the client with
 * 4421 WRONG_NODE so it asks the directory again.
 */
export class PtyRelay {
  private readonly upstream: WebSocket;
  private readonly pending: { data: Buffer; isBinary: boolean }[] = [];
  private drainTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly client: WebSocket,
    ownerUrl: string,
    roomId: string,
    hello: Buffer,
    private readonly highWaterBytes: number,
    private readonly logger: Logger,
  ) {
    const target = new URL('/pty', ownerUrl);
    target.protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
    target.searchParams.set('room', roomId);
    // The client's Origin was checked here; the hop presents the owner's own origin (a browser
    // cannot open a socket to the owner with it from another site) and marks itself a relay.
    this.upstream = new WebSocket(target, { origin: new URL(ownerUrl).origin, headers: { [RELAY_HEADER]: '1' }, perMessageDeflate: false });
    this.pending.push({ data: hello, isBinary: false });
    this.upstream.on('open', () => {
      for (const m of this.pending.splice(0)) this.toUpstream(m.data, m.isBinary);
    });
    this.upstream.on('message', (data, isBinary) => this.toClient(data, isBinary));
    this.upstream.on('close', (code, reason) => this.closeBoth(this.client, code, reason.toString('utf8')));
    this.upstream.on('error', (err) => {
      // After a close (e.g. the client left while the hop was opening) the error is expected.
      if (!this.closed) this.logger.warn({ err, owner: target.origin, roomId }, 'PtyRelay | owner unreachable');
      this.closeBoth(this.client, 1006, '');
    });
    client.on('close', (code, reason) => this.closeBoth(this.upstream, code, reason.toString('utf8')));
  }

  /** A frame from the client, passed on as it is (queued until the owner's socket is open). */
  fromClient(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (this.upstream.readyState === WebSocket.CONNECTING) this.pending.push({ data, isBinary });
    else this.toUpstream(data, isBinary);
  }

  private toUpstream(data: Buffer, isBinary: boolean): void {
    if (this.upstream.readyState !== WebSocket.OPEN) return;
    this.upstream.send(data, { binary: isBinary });
    this.throttle(this.upstream, this.client);
  }

  private toClient(data: RawData, isBinary: boolean): void {
    if (this.closed || this.client.readyState !== WebSocket.OPEN) return;
    this.client.send(data as Buffer, { binary: isBinary });
    this.throttle(this.client, this.upstream);
  }

  /** `dest`'s backlog is high: stop reading `source` until it drains. */
  private throttle(dest: WebSocket, source: WebSocket): void {
    if (dest.bufferedAmount <= this.highWaterBytes || source.isPaused) return;
    source.pause();
    this.drainTimer ??= setInterval(() => this.pollDrain(), RELAY_DRAIN_POLL_MS);
  }

  private pollDrain(): void {
    for (const [dest, source] of [[this.client, this.upstream], [this.upstream, this.client]] as const) {
      if (source.isPaused && dest.bufferedAmount <= this.highWaterBytes) source.resume();
    }
    if (!this.client.isPaused && !this.upstream.isPaused) this.stopDrain();
  }

  private stopDrain(): void {
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = null;
  }

  /** One side closed with `code`: close `other` with the same code and reason (4421 when the code cannot be sent). */
  private closeBoth(other: WebSocket, code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopDrain();
    this.pending.length = 0;
    const toClient = other === this.client;
    const [c, r] = sendableCode(code) ? [code, reason] : toClient ? [ERRORS.WRONG_NODE.closeCode, PTY_CLOSE_REASONS.WRONG_NODE] : [1000, ''];
    if (other.readyState === WebSocket.OPEN) other.close(c, r);
    else if (other.readyState === WebSocket.CONNECTING) other.terminate();
  }
}
