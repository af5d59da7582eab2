import { createWriteStream, openSync, writeSync, type WriteStream } from 'node:fs';
import type { Logger } from '@coderoom/shared';

/** Header fields of an asciicast v2 file we write. */
export interface CastHeader {
  width: number;
  height: number;
  title: string;
  env: Record<string, string>;
}

/**
 * Writes one terminal's output to an asciicast v2 file: a JSON header line, then one
 * `[seconds, "o", data]` line per chunk (`"r"` with `COLSxROWS` for resizes).
 */
export class Recorder {
  readonly startedAt = Date.now();
  private readonly stream: WriteStream;
  private closing: Promise<void> | null = null;

  constructor(readonly id: string, readonly path: string, header: CastHeader, private readonly logger: Logger) {
    // The file and its header exist before the recording is announced, so it is listed at once.
    const fd = openSync(path, 'wx', 0o640);
    writeSync(fd, `${JSON.stringify({ version: 2, width: header.width, height: header.height, timestamp: Math.floor(this.startedAt / 1000), title: header.title, env: header.env })}\n`);
    this.stream = createWriteStream('', { fd });
    this.stream.on('error', (err) => this.logger.error({ err, path }, 'Recorder | write failed'));
  }

  /** Appends output. */
  output(data: string): void {
    this.event('o', data);
  }

  /** Appends a size change. */
  resize(cols: number, rows: number): void {
    this.event('r', `${cols}x${rows}`);
  }

  /** Flushes and closes the file; idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.once('close', () => resolve());
      this.stream.end();
    });
    return this.closing;
  }

  private event(kind: 'o' | 'r', data: string): void {
    if (this.closing) return;
    const t = Math.round(Date.now() - this.startedAt) / 1000;
    this.stream.write(`${JSON.stringify([t, kind, data])}\n`);
  }
}
