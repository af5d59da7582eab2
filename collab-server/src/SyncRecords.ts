import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What the server last knew of a workspace file it mirrors (SPEC WS2). */
export interface SyncRecord {
  /** SHA-256 (hex) of the disk contents the document was last in step with (two while a write is in flight). */
  diskSha256: string[];
  /** Encoded document state whose text is the last of those contents: the common ancestor of a later merge. */
  base: Uint8Array;
}

/** SHA-256 of a text as UTF-8, hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Sync records of workspace files, kept outside the workspaces (`DATA_DIR/workspace-sync/<roomId>/`)
 * so a terminal cannot forge them. They tell, when a stored document loads again, whether its
 * file was changed on disk while it was closed.
 */
export class SyncRecords {
  constructor(private readonly root: string) {}

  async load(roomId: string, path: string): Promise<SyncRecord | null> {
    try {
      const json = JSON.parse(await readFile(this.file(roomId, path), 'utf8')) as { diskSha256: string[]; base: string };
      return { diskSha256: json.diskSha256, base: Buffer.from(json.base, 'base64') };
    } catch {
      return null;
    }
  }

  /** Saves a record atomically (temporary file + rename). */
  async save(roomId: string, path: string, record: SyncRecord): Promise<void> {
    const file = this.file(roomId, path);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify({ diskSha256: record.diskSha256, base: Buffer.from(record.base).toString('base64') }));
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  async delete(roomId: string, path: string): Promise<void> {
    await rm(this.file(roomId, path), { force: true });
  }

  private file(roomId: string, path: string): string {
    return join(this.root, roomId, `${createHash('sha256').update(path).digest('hex')}.json`);
  }
}
