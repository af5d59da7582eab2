import type { PtyClientMessage } from '@coderoom/shared/client';

/** Where a terminal's screen goes (an xterm). */
export interface TerminalSink {
  /** Replaces the whole screen: take this size, then write the snapshot. */
  reset(cols: number, rows: number, data: string): void;
  /** Appends output. */
  write(data: string): void;
  /** The terminal took a new size at this point of the stream. */
  resize(cols: number, rows: number): void;
}

/**
 * One watched terminal's place in its output stream. Every chunk (output or resize) carries a
 * sequence number; the stream applies each exactly once and in order: duplicates (seq already
 * seen) are dropped, and a gap asks the server for a fresh snapshot instead of showing a
 * garbled screen. After a reconnect it opens again with `lastSeq`, so output resumes where it
 * stopped (or the server answers with a snapshot, which resets the screen).
 */
export class TerminalStream {
  /** Sequence number of the last chunk applied (or of the snapshot). */
  private lastSeq = 0;
  /** Whether the screen holds a snapshot (and every chunk since); false while waiting for one. */
  private synced = false;

  constructor(
    readonly terminalId: string,
    private readonly sink: TerminalSink,
    /** Sends a message if the socket is up; a resync is retried by `openMessage()` on reconnect. */
    private readonly send: (msg: PtyClientMessage) => void,
  ) {}

  /** The `open` to send now or after a reconnect: a resume when we have a screen to continue. */
  openMessage(): PtyClientMessage {
    return this.synced ? { type: 'open', terminalId: this.terminalId, lastSeq: this.lastSeq } : { type: 'open', terminalId: this.terminalId };
  }

  snapshot(seq: number, cols: number, rows: number, data: string): void {
    this.sink.reset(cols, rows, data);
    this.lastSeq = seq;
    this.synced = true;
  }

  /** The server honoured our lastSeq; it must continue right after it. */
  resumed(fromSeq: number): void {
    if (!this.synced || fromSeq !== this.lastSeq + 1) this.resync();
  }

  output(seq: number, data: string): void {
    if (this.accept(seq)) this.sink.write(data);
  }

  resize(seq: number, cols: number, rows: number): void {
    if (this.accept(seq)) this.sink.resize(cols, rows);
  }

  /** Whether chunk `seq` is the next one; records it. A gap triggers a resync. */
  private accept(seq: number): boolean {
    if (!this.synced || seq <= this.lastSeq) return false;
    if (seq !== this.lastSeq + 1) {
      this.resync();
      return false;
    }
    this.lastSeq = seq;
    return true;
  }

  private resync(): void {
    this.synced = false;
    this.send({ type: 'open', terminalId: this.terminalId });
  }
}
