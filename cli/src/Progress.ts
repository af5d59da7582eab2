/** Least time between two progress lines when the output is not a terminal. */
export const PLAIN_PROGRESS_INTERVAL_MS = 2000;
/** Least time between two redraws of the progress line on a terminal. */
const TTY_REDRAW_INTERVAL_MS = 100;

/** Where progress goes: a stream, and whether it is a terminal. */
export interface ProgressOutput {
  write(s: string): unknown;
  isTTY?: boolean;
}

/**
 * Progress of a long run on stderr: one line redrawn in place on a terminal; plain lines, at
 * most one per PLAIN_PROGRESS_INTERVAL_MS, when stderr is a file or pipe (logs, CronJobs).
 */
export class Progress {
  private lastAt = 0;
  private pending = false;

  constructor(private readonly out: ProgressOutput | null) {}

  /** A step of the work: shown now or soon, or dropped when a newer one comes first. */
  update(text: string): void {
    if (!this.out) return;
    const now = Date.now();
    if (now - this.lastAt < (this.out.isTTY ? TTY_REDRAW_INTERVAL_MS : PLAIN_PROGRESS_INTERVAL_MS)) return;
    this.lastAt = now;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${text}`);
      this.pending = true;
    } else {
      this.out.write(`${text}\n`);
    }
  }

  /** A finished step: always shown, on a line of its own. */
  line(text: string): void {
    if (!this.out) return;
    this.out.write(this.out.isTTY && this.pending ? `\r\x1b[2K${text}\n` : `${text}\n`);
    this.pending = false;
  }
}

/** Bytes for people: `512 B`, `3.4 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}
