import type { IDisposable, IPty } from 'node-pty';
import type { Logger } from '@coderoom/shared';
import type { PtyServerMessage, TerminalStatus } from '@coderoom/shared/client';
import { OutputRing, type StreamChunk } from './OutputRing.js';
import { ScreenMirror, type Snapshot } from './ScreenMirror.js';
import type { Recorder } from './Recorder.js';
import { terminalSessionsGauge } from './metrics.js';

/** How long output is coalesced before it is sent, in ms. */
export const BATCH_WINDOW_MS = 2;
/** Coalesced output above which a batch is sent at once, in characters. */
export const BATCH_MAX_CHARS = 32 * 1024;

/** Starts (or restarts) the shell of a terminal. */
export type ShellSpawner = (cols: number, rows: number) => IPty;

/** Whoever receives a terminal's stream (a viewer's socket). */
export interface StreamSink {
  /** A new chunk, with its frame already encoded once for every sink. */
  deliver(chunk: StreamChunk, frame: Buffer): void;
  /** The terminal went away. */
  terminalClosed(): void;
}

/** Callbacks to the room. */
export interface TerminalEvents {
  /** The shell exited. */
  exited(code: number, signal: number | null): void;
  /** Something shown in the terminal's info changed (status, size, recording). */
  changed(): void;
}

/** Encodes a chunk as the frame a viewer gets. */
export function encodeChunk(terminalId: string, chunk: StreamChunk): Buffer {
  const msg: PtyServerMessage =
    chunk.kind === 'output'
      ? { type: 'output', terminalId, seq: chunk.seq, data: chunk.data }
      : { type: 'resize', terminalId, seq: chunk.seq, cols: chunk.cols, rows: chunk.rows };
  return Buffer.from(JSON.stringify(msg));
}

/**
 * One shared terminal: a shell under node-pty whose output is batched into sequence-numbered
 * chunks, mirrored into a headless xterm (snapshots), kept in a ring (resumes), fanned out to
 * sinks and, while recording, to an asciicast file.
 */
export class TerminalSession {
  readonly ring: OutputRing;
  readonly sinks = new Set<StreamSink>();
  /** Subjects granted control, with their names. */
  readonly drivers = new Map<string, string>();
  /** Raised hands, oldest first. */
  readonly hands = new Map<string, string>();
  cols: number;
  rows: number;
  status: TerminalStatus = { state: 'running' };
  private pty: IPty | null = null;
  private ptyListeners: IDisposable[] = [];
  private readonly mirror: ScreenMirror;
  private pending: string[] = [];
  private pendingChars = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private recorder: Recorder | null = null;
  private recorderLive = false;
  /** Settles once the recording in progress has caught up with the stream (see startRecording). */
  private recorderCaughtUp: Promise<void> = Promise.resolve();
  private exitTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly id: string,
    readonly title: string,
    cols: number,
    rows: number,
    ringBytes: number,
    private readonly spawner: ShellSpawner,
    private readonly events: TerminalEvents,
    private readonly logger: Logger,
  ) {
    this.cols = cols;
    this.rows = rows;
    this.ring = new OutputRing(ringBytes);
    this.mirror = new ScreenMirror(cols, rows, (paused) => (paused ? this.pty?.pause() : this.pty?.resume()), logger);
    terminalSessionsGauge.inc();
    this.start();
  }

  /** The active recording, if any. */
  get recording(): Recorder | null {
    return this.recorder;
  }

  /** Whether the shell is running. */
  get running(): boolean {
    return this.pty !== null;
  }

  /** Writes input to the shell; false when it is not running. */
  write(data: string): boolean {
    if (!this.pty) return false;
    this.pty.write(data);
    return true;
  }

  /** Takes a driver's size at this point of the stream. */
  resize(cols: number, rows: number): void {
    if (this.closed || (cols === this.cols && rows === this.rows)) return;
    this.flush();
    this.cols = cols;
    this.rows = rows;
    this.pty?.resize(cols, rows);
    this.mirror.resize(cols, rows);
    const chunk = this.ring.pushResize(cols, rows);
    if (this.recorderLive) this.recorder?.resize(cols, rows);
    this.fanOut(chunk);
    this.events.changed();
  }

  /** Starts the shell again after it exited. */
  restart(): void {
    if (this.closed || this.pty) return;
    this.start();
    this.events.changed();
  }

  /** The screen as of the latest chunk. */
  snapshot(): Promise<Snapshot> {
    this.flush();
    return this.mirror.snapshot(this.ring.seq);
  }

  /** Starts writing the stream to `recorder`: the current screen first, then everything after it. */
  async startRecording(recorder: Recorder): Promise<void> {
    this.recorder = recorder;
    this.recorderLive = false;
    this.events.changed();
    this.recorderCaughtUp = this.catchUp(recorder);
    await this.recorderCaughtUp;
  }

  /**
   * Stops the recording in progress and closes its file. A stop that arrives while the recording is
   * still catching up (the screen snapshot comes from the mirror's worker) waits for it, so output
   * before the stop is never dropped from the file.
   */
  async stopRecording(): Promise<void> {
    const r = this.recorder;
    if (!r) return;
    await this.recorderCaughtUp.catch(() => undefined); // a failed start is reported to whoever started it
    if (this.recorder !== r) return;
    this.flush();
    this.recorder = null;
    this.recorderLive = false;
    await r.close();
    // Announced once the file is complete, so whoever sees the recording end can read all of it.
    this.events.changed();
  }

  private async catchUp(recorder: Recorder): Promise<void> {
    const snap = await this.snapshot();
    if (this.recorder !== recorder) return;
    recorder.output(snap.data);
    for (const c of this.ring.after(snap.seq)) {
      if (c.kind === 'output') recorder.output(c.data);
      else recorder.resize(c.cols, c.rows);
    }
    this.recorderLive = true;
  }

  /** Kills the shell and releases everything; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    terminalSessionsGauge.dec();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.exitTimer) clearTimeout(this.exitTimer);
    this.flushTimer = this.exitTimer = null;
    this.killShell();
    this.mirror.close();
    for (const s of [...this.sinks]) s.terminalClosed();
    this.sinks.clear();
    const r = this.recorder;
    this.recorder = null;
    await r?.close();
  }

  private start(): void {
    const pty = this.spawner(this.cols, this.rows);
    this.pty = pty;
    this.status = { state: 'running' };
    this.ptyListeners = [
      pty.onData((d) => this.onData(d)),
      pty.onExit(({ exitCode, signal }) => this.onExit(pty, exitCode, signal ?? 0)),
    ];
  }

  private onData(d: string): void {
    this.pending.push(d);
    this.pendingChars += d.length;
    if (this.pendingChars >= BATCH_MAX_CHARS) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), BATCH_WINDOW_MS);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pendingChars === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    const chunk = this.ring.pushOutput(data);
    this.mirror.write(data);
    if (this.recorderLive) this.recorder?.output(data);
    this.fanOut(chunk);
  }

  private fanOut(chunk: StreamChunk): void {
    if (this.sinks.size === 0) return;
    const frame = encodeChunk(this.id, chunk);
    for (const s of this.sinks) s.deliver(chunk, frame);
  }

  private onExit(pty: IPty, code: number, signal: number): void {
    if (this.pty !== pty) return;
    // Output still buffered in the pty may arrive just after the exit event; give it one batch window.
    this.exitTimer = setTimeout(() => {
      this.exitTimer = null;
      this.flush();
      for (const l of this.ptyListeners) l.dispose();
      this.ptyListeners = [];
      this.pty = null;
      this.status = { state: 'exited', code, signal: signal === 0 ? null : signal };
      this.logger.info({ terminalId: this.id, code, signal }, 'TerminalSession | shell exited');
      this.events.exited(code, signal === 0 ? null : signal);
      this.events.changed();
    }, BATCH_WINDOW_MS * 5);
  }

  private killShell(): void {
    const pty = this.pty;
    this.pty = null;
    for (const l of this.ptyListeners) l.dispose();
    this.ptyListeners = [];
    if (!pty) return;
    try {
      pty.kill('SIGHUP');
    } catch (err) {
      this.logger.debug({ err, terminalId: this.id }, 'close() | kill failed');
    }
  }
}
