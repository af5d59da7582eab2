/** A parsed asciicast v2 recording (https://docs.asciinema.org/manual/asciicast/v2/). */
export interface Cast {
  width: number;
  height: number;
  title: string;
  /** Start time, ms since the epoch, when the header has one. */
  startedAt: number | null;
  /** Output and resize events in time order; `time` in ms from the start. */
  events: CastEvent[];
  /** Time of the last event, in ms. */
  durationMs: number;
}

export type CastEvent = { time: number; kind: 'o'; data: string } | { time: number; kind: 'r'; cols: number; rows: number };

/** A recording that cannot be played. */
export class CastParseError extends Error {
  override name = 'CastParseError';
}

/** Largest terminal a header may declare; beyond this the file is not trusted. */
const MAX_SIZE = 1000;

function positiveInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_SIZE ? v : null;
}

/**
 * Parses an asciicast v2 file: a JSON header line, then one `[time, code, data]` JSON array per
 * line. Output (`o`) and resize (`r`, "COLSxROWS") events are kept; input (`i`) and markers
 * (`m`) are skipped, as are malformed lines (a recording cut off mid-write still plays).
 */
export function parseCast(text: string): Cast {
  const lines = text.split('\n');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  } catch {
    throw new CastParseError('not an asciicast file: the first line is not JSON');
  }
  if (typeof header !== 'object' || header === null || header.version !== 2) throw new CastParseError('not an asciicast v2 file');
  const width = positiveInt(header.width);
  const height = positiveInt(header.height);
  if (width === null || height === null) throw new CastParseError('the header has no valid width and height');

  const events: CastEvent[] = [];
  let last = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(ev) || ev.length < 3 || typeof ev[0] !== 'number' || !Number.isFinite(ev[0]) || typeof ev[2] !== 'string') continue;
    // Times must not go backwards; a clock glitch is clamped rather than reordering the output.
    const time = Math.max(last, Math.round(ev[0] * 1000));
    if (ev[1] === 'o') {
      events.push({ time, kind: 'o', data: ev[2] });
    } else if (ev[1] === 'r') {
      const m = /^(\d+)x(\d+)$/.exec(ev[2]);
      const cols = m ? positiveInt(Number(m[1])) : null;
      const rows = m ? positiveInt(Number(m[2])) : null;
      if (cols === null || rows === null) continue;
      events.push({ time, kind: 'r', cols, rows });
    } else {
      continue;
    }
    last = time;
  }
  return {
    width,
    height,
    title: typeof header.title === 'string' ? header.title : '',
    startedAt: typeof header.timestamp === 'number' ? header.timestamp * 1000 : null,
    events,
    durationMs: last,
  };
}

/** Index of the first event after `timeMs` (binary search). */
export function eventIndexAfter(cast: Cast, timeMs: number): number {
  let lo = 0;
  let hi = cast.events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cast.events[mid]!.time <= timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
