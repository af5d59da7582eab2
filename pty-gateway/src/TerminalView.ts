import type { Logger } from '@coderoom/shared';
import type { PtyServerMessage } from '@coderoom/shared/client';
import type { StreamChunk } from './OutputRing.js';
import { encodeChunk, type StreamSink, type TerminalSession } from './TerminalSession.js';
import { viewerResyncsCounter, viewersGauge } from './metrics.js';

/** The socket side a view writes to. */
export interface ViewSocket {
  /** Whether the socket's send backlog is over the viewer queue cap. */
  readonly congested: boolean;
  /** Sends an already-encoded frame. */
  sendFrame(frame: Buffer): void;
  /** Sends a message. */
  send(msg: PtyServerMessage): void;
  /** Asks to be told (through catchUp) when the backlog has drained. */
  wantDrain(view: TerminalView): void;
}

/**
 * One viewer of one terminal: live chunks go out while the socket keeps up; once its backlog
 * passes the cap the viewer is left behind (nothing more is queued for it) and later catches up
 * from the ring, or with a fresh snapshot when the ring no longer reaches back far enough.
 */
export class TerminalView implements StreamSink {
  /** Last sequence number this viewer has been sent. */
  private lastSeq = 0;
  private state: 'live' | 'behind' | 'syncing' = 'syncing';
  private closed = false;

  constructor(readonly terminal: TerminalSession, private readonly socket: ViewSocket, private readonly logger: Logger) {
    viewersGauge.inc();
  }

  /** Starts the stream: resume after `lastSeq` when the ring still has it, else a snapshot. */
  start(lastSeq: number | undefined): void {
    this.terminal.sinks.add(this);
    if (lastSeq !== undefined && this.terminal.ring.canResumeAfter(lastSeq)) {
      this.socket.send({ type: 'resumed', terminalId: this.terminal.id, fromSeq: lastSeq + 1 });
      this.lastSeq = lastSeq;
      this.state = 'behind';
      this.catchUp();
    } else {
      this.resync();
    }
  }

  deliver(chunk: StreamChunk, frame: Buffer): void {
    if (this.state !== 'live') return;
    if (this.socket.congested) {
      this.state = 'behind';
      this.socket.wantDrain(this);
      return;
    }
    this.socket.sendFrame(frame);
    this.lastSeq = chunk.seq;
  }

  /** Called when the socket drained: replay from the ring, or resync with a snapshot. */
  catchUp(): void {
    if (this.closed || this.state !== 'behind') return;
    const ring = this.terminal.ring;
    if (!ring.canResumeAfter(this.lastSeq)) {
      viewerResyncsCounter.inc();
      return this.resync();
    }
    for (const chunk of ring.after(this.lastSeq)) {
      if (this.socket.congested) {
        this.socket.wantDrain(this);
        return;
      }
      this.socket.sendFrame(encodeChunk(this.terminal.id, chunk));
      this.lastSeq = chunk.seq;
    }
    this.state = 'live';
  }

  terminalClosed(): void {
    this.close();
  }

  /** Stops watching; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    viewersGauge.dec();
    this.terminal.sinks.delete(this);
  }

  private resync(): void {
    this.state = 'syncing';
    this.terminal.snapshot().then(
      (snap) => {
        if (this.closed) return;
        this.socket.send({ type: 'snapshot', terminalId: this.terminal.id, seq: snap.seq, cols: snap.cols, rows: snap.rows, data: snap.data });
        this.lastSeq = snap.seq;
        this.state = 'behind';
        this.catchUp();
      },
      (err: unknown) => this.logger.debug({ err, terminalId: this.terminal.id }, 'resync() | snapshot failed'),
    );
  }
}
