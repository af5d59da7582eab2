import xtermHeadless from '@xterm/headless';
import xtermSerialize from '@xterm/addon-serialize';
import { PTY_SNAPSHOT_SCROLLBACK_LINES } from '@coderoom/shared/client';

const { Terminal } = xtermHeadless;
const { SerializeAddon } = xtermSerialize;

/** Bytes queued in the headless terminal's parser above which the shell's pty is paused. */
export const MIRROR_HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Bytes queued below which a paused pty is resumed. */
export const MIRROR_LOW_WATER_BYTES = 512 * 1024;

/** A serialized screen as of a sequence number. */
export interface Snapshot {
  seq: number;
  cols: number;
  rows: number;
  data: string;
}

/**
 * A headless xterm fed with everything the shell prints, so a late joiner gets the screen
 * (scrollback, cursor, modes) instead of the whole history. xterm parses asynchronously; writes,
 * resizes and snapshots go through its write queue so each snapshot matches one sequence number.
 */
export class ScreenMirror {
  private readonly term: InstanceType<typeof Terminal>;
  private readonly serializer: InstanceType<typeof SerializeAddon>;
  private pendingBytes = 0;
  private paused = false;
  private closed = false;

  constructor(cols: number, rows: number, private readonly onBackpressure: (paused: boolean) => void) {
    this.term = new Terminal({ cols, rows, scrollback: PTY_SNAPSHOT_SCROLLBACK_LINES, allowProposedApi: true });
    this.serializer = new SerializeAddon();
    this.term.loadAddon(this.serializer);
  }

  /** Feeds output; pauses the shell (through onBackpressure) while the parser lags far behind. */
  write(data: string): void {
    if (this.closed) return;
    const len = data.length;
    this.pendingBytes += len;
    if (!this.paused && this.pendingBytes > MIRROR_HIGH_WATER_BYTES) {
      this.paused = true;
      this.onBackpressure(true);
    }
    this.term.write(data, () => {
      this.pendingBytes -= len;
      if (this.paused && this.pendingBytes <= MIRROR_LOW_WATER_BYTES) {
        this.paused = false;
        if (!this.closed) this.onBackpressure(false);
      }
    });
  }

  /** Resizes at this point of the stream. */
  resize(cols: number, rows: number): void {
    if (this.closed) return;
    this.term.write('', () => {
      if (!this.closed) this.term.resize(cols, rows);
    });
  }

  /** The screen once everything written so far is parsed, labelled with `seq` (the last chunk written). */
  snapshot(seq: number): Promise<Snapshot> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('mirror closed'));
      this.term.write('', () => {
        if (this.closed) return reject(new Error('mirror closed'));
        resolve({ seq, cols: this.term.cols, rows: this.term.rows, data: this.serialize() });
      });
    });
  }

  /**
   * The serialized screen. The addon appends the alternate screen right after the normal one
   * without resetting graphic attributes, so the alternate screen would start in whatever SGR
   * state the normal one ended in; a reset is inserted at that seam.
   */
  private serialize(): string {
    const scrollback = PTY_SNAPSHOT_SCROLLBACK_LINES;
    const full = this.serializer.serialize({ scrollback });
    if (this.term.buffer.active.type !== 'alternate') return full;
    const normal = this.serializer.serialize({ scrollback, excludeAltBuffer: true, excludeModes: true });
    return full.startsWith(normal) ? `${normal}\x1b[0m${full.slice(normal.length)}` : full;
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.serializer.dispose();
    this.term.dispose();
  }
}
