import type { Extension, Hocuspocus, afterLoadDocumentPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { FILE_INDEX_MAP, parseDocName, roomIndexDocName, type FileEntry } from '@coderoom/shared';
import type { FileRecord, RoomStore } from './RoomStore.js';

/** Transaction origin of index changes made by the server. */
export const INDEX_ORIGIN = Symbol('coderoom:index');

/**
 * Mirrors each room's file list (RoomStore is the truth) into its `meta:files` document so
 * every client sees creates, renames and deletes live. Clients are read-only on it.
 */
export class FileIndex implements Extension {
  readonly extensionName = 'FileIndex';
  /** After DurableLog has loaded the stored state. */
  readonly priority = 500;
  private hocuspocus: Hocuspocus | null = null;

  constructor(private readonly rooms: RoomStore) {}

  attach(hocuspocus: Hocuspocus): void {
    this.hocuspocus = hocuspocus;
  }

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    const name = parseDocName(documentName);
    if (!name || name.kind !== 'meta' || name.path !== 'files') return;
    // Reconcile: the stored index may lag the RoomStore after a crash between the two writes.
    const files = await this.rooms.listFiles(name.roomId);
    reconcile(document.getMap<FileEntry>(FILE_INDEX_MAP), files, document);
  }

  /** Applies a change to a room's index document (loading it if needed). */
  async update(roomId: string, change: (map: Y.Map<FileEntry>) => void): Promise<void> {
    if (!this.hocuspocus) throw new Error('FileIndex not attached');
    const name = roomIndexDocName(roomId);
    const loaded = this.hocuspocus.documents.get(name);
    if (loaded && loaded.getConnectionsCount() > 0) {
      // In use: change it in place. Hocuspocus broadcasts the update, the durable log logs it and the
      // Redis extension publishes it, as for a direct connection; a direct connection would also run
      // the store hooks, which with Redis wait about a second twice (lock, then disconnect delay).
      Y.transact(loaded, () => change(loaded.getMap<FileEntry>(FILE_INDEX_MAP)), INDEX_ORIGIN);
      return;
    }
    const conn = await this.hocuspocus.openDirectConnection(name, { system: true });
    try {
      // One Yjs transaction, so clients see a rename's delete and add as one update.
      await conn.transact((doc) => Y.transact(doc, () => change(doc.getMap<FileEntry>(FILE_INDEX_MAP)), INDEX_ORIGIN));
    } finally {
      await conn.disconnect();
    }
  }
}

function reconcile(map: Y.Map<FileEntry>, files: FileRecord[], doc: Y.Doc): void {
  const want = new Map(files.map((f) => [f.path, f]));
  Y.transact(
    doc,
    () => {
      for (const path of [...map.keys()]) if (!want.has(path)) map.delete(path);
      for (const [path, f] of want) if (!map.has(path)) map.set(path, { createdAt: f.createdAt, createdBy: f.createdBy });
    },
    INDEX_ORIGIN,
  );
}
