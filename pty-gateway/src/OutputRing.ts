/** One entry of a terminal's ordered stream: output, or a size change at that point. */
export type StreamChunk =
  | { seq: number; kind: 'output'; data: string; bytes: number }
  | { seq: number; kind: 'resize'; cols: number; rows: number; bytes: number };

/** Bytes a resize entry counts for in the ring. */
const RESIZE_ENTRY_BYTES = 32;

/**
 * The last few MiB of a terminal's stream, by sequence number, so that a viewer who lost its
 * connection (or fell behind) resumes exactly after the last chunk it had. Oldest chunks are
 * dropped once the byte cap is passed; the newest chunk is always kept.
 */
export class OutputRing {
  private chunks: StreamChunk[] = [];
  private head = 0;
  private bytes = 0;
  private lastSeq = 0;

  constructor(private readonly capBytes: number) {}

  /** Sequence number of the newest chunk (0 before any). */
  get seq(): number {
    return this.lastSeq;
  }

  /** Appends output as the next chunk and returns it. */
  pushOutput(data: string): StreamChunk {
    return this.push({ seq: this.lastSeq + 1, kind: 'output', data, bytes: Buffer.byteLength(data) });
  }

  /** Appends a size change as the next chunk and returns it. */
  pushResize(cols: number, rows: number): StreamChunk {
    return this.push({ seq: this.lastSeq + 1, kind: 'resize', cols, rows, bytes: RESIZE_ENTRY_BYTES });
  }

  /** Whether every chunk after `seq` is still held (true when nothing came after it). */
  canResumeAfter(seq: number): boolean {
    if (seq > this.lastSeq || seq < 0) return false;
    if (seq === this.lastSeq) return true;
    const first = this.chunks[this.head];
    return first !== undefined && first.seq <= seq + 1;
  }

  /** The chunks after `seq`, oldest first; call only when canResumeAfter(seq). */
  after(seq: number): StreamChunk[] {
    const first = this.chunks[this.head];
    if (!first || seq >= this.lastSeq) return [];
    return this.chunks.slice(this.head + Math.max(0, seq + 1 - first.seq));
  }

  private push(chunk: StreamChunk): StreamChunk {
    this.chunks.push(chunk);
    this.lastSeq = chunk.seq;
    this.bytes += chunk.bytes;
    while (this.bytes > this.capBytes && this.chunks.length - this.head > 1) {
      this.bytes -= this.chunks[this.head]!.bytes;
      this.chunks[this.head++] = undefined as unknown as StreamChunk;
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return chunk;
  }
}
