import { existsSync, mkdirSync, openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { RecordingIdSchema, RoomIdSchema, type RecordingEntry } from '@coderoom/shared/client';

/** Bytes read from the start of a cast file to find its header line. */
const HEADER_READ_BYTES = 8192;
/** File name suffix of recordings. */
export const CAST_SUFFIX = '.cast';

export type { RecordingEntry };

/** Where recordings live: `<dataDir>/recordings/<roomId>/<id>.cast`. */
export class RecordingStore {
  constructor(private readonly dataDir: string) {}

  /** A fresh id and path for a new recording of `terminalId` (folder created). */
  allocate(roomId: string, terminalId: string): { id: string; path: string } {
    const dir = this.roomDir(roomId);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    const id = `${terminalId}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    return { id, path: join(dir, id + CAST_SUFFIX) };
  }

  /** The room's recordings, newest first; `active` marks those still being written. */
  list(roomId: string, activeIds: ReadonlySet<string>): RecordingEntry[] {
    if (!RoomIdSchema.safeParse(roomId).success) return [];
    const dir = this.roomDir(roomId);
    if (!existsSync(dir)) return [];
    const out: RecordingEntry[] = [];
    for (const name of readdirSync(dir)) {
      if (!name.endsWith(CAST_SUFFIX)) continue;
      const id = name.slice(0, -CAST_SUFFIX.length);
      if (!RecordingIdSchema.safeParse(id).success) continue;
      const path = join(dir, name);
      const header = readHeader(path);
      out.push({
        id,
        title: typeof header?.title === 'string' ? header.title : '',
        width: typeof header?.width === 'number' ? header.width : 0,
        height: typeof header?.height === 'number' ? header.height : 0,
        startedAt: typeof header?.timestamp === 'number' ? header.timestamp * 1000 : statSync(path).mtimeMs,
        bytes: statSync(path).size,
        active: activeIds.has(id),
      });
    }
    return out.sort((a, b) => b.startedAt - a.startedAt);
  }

  /** The file of a recording, or null when the ids are invalid or it does not exist. */
  path(roomId: string, id: string): string | null {
    if (!RoomIdSchema.safeParse(roomId).success || !RecordingIdSchema.safeParse(id).success) return null;
    const path = join(this.roomDir(roomId), id + CAST_SUFFIX);
    return existsSync(path) ? path : null;
  }

  private roomDir(roomId: string): string {
    return join(this.dataDir, 'recordings', roomId);
  }
}

function readHeader(path: string): Record<string, unknown> | null {
  const buf = Buffer.alloc(HEADER_READ_BYTES);
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, buf, 0, HEADER_READ_BYTES, 0);
    const line = buf.subarray(0, n).toString('utf8').split('\n', 1)[0] ?? '';
    const parsed: unknown = JSON.parse(line);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
