import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@coderoom/shared';
import { PTY_SNAPSHOT_SCROLLBACK_LINES } from '@coderoom/shared/client';

/** Characters posted to the mirror and not yet parsed above which the shell's pty is paused. */
export const MIRROR_HIGH_WATER_CHARS = 16 * 1024 * 1024;
/** Characters still unparsed below which a paused pty is resumed. */
export const MIRROR_LOW_WATER_CHARS = 2 * 1024 * 1024;

/** A serialized screen as of a sequence number. */
export interface Snapshot {
  seq: number;
  cols: number;
  rows: number;
  data: string;
}

const require = createRequire(import.meta.url);

/**
 * The worker's code. It is plain JavaScript run with `eval` (so the same code runs from src/
 * under vitest and from dist/), loading xterm from the absolute paths it is given.
 * The serialize addon appends the alternate screen right after the normal one without resetting
 * graphic attributes, so the alternate screen would inherit the normal one's last SGR state;
 * serialize() inserts a reset at that seam.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Terminal } = require(workerData.headlessPath);
const { SerializeAddon } = require(workerData.serializePath);
const term = new Terminal({ cols: workerData.cols, rows: workerData.rows, scrollback: workerData.scrollback, allowProposedApi: true });
const serializer = new SerializeAddon();
term.loadAddon(serializer);
function serialize() {
  const scrollback = workerData.scrollback;
  const full = serializer.serialize({ scrollback });
  if (term.buffer.active.type !== 'alternate') return full;
  const normal = serializer.serialize({ scrollback, excludeAltBuffer: true, excludeModes: true });
  return full.startsWith(normal) ? normal + '\\x1b[0m' + full.slice(normal.length) : full;
}
parentPort.on('message', (m) => {
  if (m.op === 'write') term.write(m.data, () => parentPort.postMessage({ op: 'ack', chars: m.data.length }));
  else if (m.op === 'resize') term.write('', () => term.resize(m.cols, m.rows));
  else if (m.op === 'snapshot') term.write('', () => parentPort.postMessage({ op: 'snapshot', id: m.id, cols: term.cols, rows: term.rows, data: serialize() }));
});
`;

type WorkerReply = { op: 'ack'; chars: number } | { op: 'snapshot'; id: number; cols: number; rows: number; data: string };

/**
 * A headless xterm fed with everything the shell prints, so a late joiner gets the screen
 * (scrollback, cursor, modes) instead of the whole history. It runs in a worker thread so that
 * parsing never competes with the fan-out; writes, resizes and snapshots are handled in order,
 * so each snapshot matches exactly the chunks written before it was asked for.
 */
export class ScreenMirror {
  private readonly worker: Worker;
  private readonly pendingSnapshots = new Map<number, { seq: number; resolve: (s: Snapshot) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private unparsedChars = 0;
  private paused = false;
  private closed = false;

  constructor(cols: number, rows: number, private readonly onBackpressure: (paused: boolean) => void, private readonly logger: Logger) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { cols, rows, scrollback: PTY_SNAPSHOT_SCROLLBACK_LINES, headlessPath: require.resolve('@xterm/headless'), serializePath: require.resolve('@xterm/addon-serialize') },
    });
    this.worker.on('message', (m: WorkerReply) => this.onReply(m));
    this.worker.on('error', (err) => {
      this.logger.error({ err }, 'ScreenMirror | worker failed');
      this.failPending(new Error('mirror failed'));
    });
  }

  /** Feeds output; pauses the shell (through onBackpressure) while the parser lags far behind. */
  write(data: string): void {
    if (this.closed) return;
    this.unparsedChars += data.length;
    if (!this.paused && this.unparsedChars > MIRROR_HIGH_WATER_CHARS) {
      this.paused = true;
      this.onBackpressure(true);
    }
    this.worker.postMessage({ op: 'write', data });
  }

  /** Resizes at this point of the stream. */
  resize(cols: number, rows: number): void {
    if (!this.closed) this.worker.postMessage({ op: 'resize', cols, rows });
  }

  /** The screen once everything written so far is parsed, labelled with `seq` (the last chunk written). */
  snapshot(seq: number): Promise<Snapshot> {
    if (this.closed) return Promise.reject(new Error('mirror closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pendingSnapshots.set(id, { seq, resolve, reject });
      this.worker.postMessage({ op: 'snapshot', id });
    });
  }

  /** Stops the worker; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failPending(new Error('mirror closed'));
    this.worker.removeAllListeners('message');
    void this.worker.terminate();
  }

  private onReply(m: WorkerReply): void {
    if (m.op === 'ack') {
      this.unparsedChars -= m.chars;
      if (this.paused && this.unparsedChars <= MIRROR_LOW_WATER_CHARS) {
        this.paused = false;
        if (!this.closed) this.onBackpressure(false);
      }
      return;
    }
    const p = this.pendingSnapshots.get(m.id);
    if (!p) return;
    this.pendingSnapshots.delete(m.id);
    p.resolve({ seq: p.seq, cols: m.cols, rows: m.rows, data: m.data });
  }

  private failPending(err: Error): void {
    for (const p of this.pendingSnapshots.values()) p.reject(err);
    this.pendingSnapshots.clear();
  }
}
