import type { FileEntry, Room } from '@coderoom/shared';

/** A file of a room, as stored. */
export interface FileRecord extends FileEntry {
  path: string;
}

/** Rooms and their file lists. Every implementation passes `test/RoomStore.contract.ts`. */
export interface RoomStore {
  /** Creates a room with a fresh id. */
  create(name: string): Promise<Room>;
  /** The room, or null. */
  get(id: string): Promise<Room | null>;
  /** Files of a room, sorted by path. */
  listFiles(roomId: string): Promise<FileRecord[]>;
  /** Whether a file exists. */
  hasFile(roomId: string, path: string): Promise<boolean>;
  /** Adds a file; false when the path is taken. */
  addFile(roomId: string, file: FileRecord): Promise<boolean>;
  /** Renames a file; false when `from` is missing or `to` is taken. */
  renameFile(roomId: string, from: string, to: string): Promise<boolean>;
  /** Removes a file; false when it was missing. */
  removeFile(roomId: string, path: string): Promise<boolean>;
}
