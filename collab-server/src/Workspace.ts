import { lstat, mkdir, open, realpath } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute, sep } from 'node:path';
import { BadRequestError, FilePathSchema } from '@coderoom/shared';

/** Bytes at the start of a file searched for a NUL byte to call it binary. */
export const BINARY_SNIFF_BYTES = 8 * 1024;

/** Why a file of the workspace is not opened as a document. */
export type UnopenableReason = 'large' | 'binary' | 'symlink' | 'not-a-file' | 'invalid-path';

/** What is on disk at a workspace path. */
export type DiskFile =
  | { kind: 'missing' }
  | { kind: 'unopenable'; reason: UnopenableReason; message: string }
  | { kind: 'text'; text: string; mtimeMs: number; size: number; ino: number };

/**
 * A room's workspace directory (`DATA_DIR/workspaces/<roomId>`, the directory its terminals
 * run in): resolves room file paths to disk paths that stay inside it (SPEC WS6) and reads
 * files as text, refusing large and binary ones (WS7).
 */
export class Workspace {
  constructor(
    /** Absolute path of `DATA_DIR/workspaces`. */
    readonly root: string,
    private readonly maxFileBytes: number,
  ) {}

  /** The directory of a room's workspace (it may not exist yet). */
  dir(roomId: string): string {
    return join(this.root, roomId);
  }

  /** Where a room file would be on disk, unchecked: only for `stat`; read or write through resolve(). */
  pathOf(roomId: string, path: string): string {
    return join(this.dir(roomId), ...path.split('/'));
  }

  /**
   * The disk path of a room file. Throws BAD_REQUEST for an invalid path, or when the path or
   * an existing ancestor directory resolves (through symlinks) outside the workspace.
   */
  async resolve(roomId: string, path: string): Promise<string> {
    if (!FilePathSchema.safeParse(path).success) throw new BadRequestError(`invalid file path ${path.slice(0, 200)}`);
    const dir = this.dir(roomId);
    const target = this.pathOf(roomId, path);
    await mkdir(dir, { recursive: true });
    const realDir = await realpath(dir);
    // The deepest existing ancestor must resolve inside the workspace...
    let probe = dirname(target);
    for (;;) {
      try {
        if (!inside(realDir, await realpath(probe))) throw new BadRequestError(`file path ${path.slice(0, 200)} leaves the workspace`);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        probe = dirname(probe);
      }
    }
    // ...and the file itself must not be a symlink (it could point anywhere).
    const st = await lstat(target).catch(() => null);
    if (st?.isSymbolicLink()) throw new BadRequestError(`file ${path.slice(0, 200)} is a symbolic link; not opened`);
    return target;
  }

  /** Reads a workspace file as UTF-8 text, or says why it cannot be opened. */
  async read(absPath: string): Promise<DiskFile> {
    let handle;
    try {
      handle = await open(absPath, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      throw err;
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) return { kind: 'unopenable', reason: 'not-a-file', message: 'not a regular file' };
      if (st.size > this.maxFileBytes) return { kind: 'unopenable', reason: 'large', message: `file is ${st.size} bytes, over the ${this.maxFileBytes}-byte limit for editing` };
      const buf = await handle.readFile();
      if (buf.byteLength > this.maxFileBytes) return { kind: 'unopenable', reason: 'large', message: `file is over the ${this.maxFileBytes}-byte limit for editing` };
      if (isBinary(buf)) return { kind: 'unopenable', reason: 'binary', message: 'binary file (NUL byte in its first 8 KiB); not opened for editing' };
      return { kind: 'text', text: buf.toString('utf8'), mtimeMs: st.mtimeMs, size: st.size, ino: st.ino };
    } finally {
      await handle.close();
    }
  }
}

/** Whether a buffer looks binary: a NUL byte among its first BINARY_SNIFF_BYTES. */
export function isBinary(buf: Uint8Array): boolean {
  return buf.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
