import { randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { Room } from '@coderoom/shared';
import type { FileRecord, RoomStore } from './RoomStore.js';

/** Bytes of randomness in a room id (16 base64url characters). */
export const ROOM_ID_BYTES = 12;

interface RoomRow { id: string; name: string; created_at: number }
interface FileRow { path: string; created_at: number; created_by: string }

/** RoomStore on SQLite. */
export class SqliteRoomStore implements RoomStore {
  private readonly stmts;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.stmts = {
      insertRoom: db.prepare('INSERT INTO rooms (id, name, created_at) VALUES (?, ?, ?)'),
      getRoom: db.prepare<[string], RoomRow>('SELECT id, name, created_at FROM rooms WHERE id = ?'),
      listFiles: db.prepare<[string], FileRow>('SELECT path, created_at, created_by FROM files WHERE room_id = ? ORDER BY path'),
      hasFile: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM files WHERE room_id = ? AND path = ?'),
      addFile: db.prepare('INSERT OR IGNORE INTO files (room_id, path, created_at, created_by) VALUES (?, ?, ?, ?)'),
      renameFile: db.prepare('UPDATE OR IGNORE files SET path = ? WHERE room_id = ? AND path = ?'),
      removeFile: db.prepare('DELETE FROM files WHERE room_id = ? AND path = ?'),
    };
  }

  async create(name: string): Promise<Room> {
    const room: Room = { id: randomBytes(ROOM_ID_BYTES).toString('base64url'), name, createdAt: Date.now() };
    this.stmts.insertRoom.run(room.id, room.name, room.createdAt);
    return room;
  }

  async get(id: string): Promise<Room | null> {
    const row = this.stmts.getRoom.get(id);
    return row ? { id: row.id, name: row.name, createdAt: row.created_at } : null;
  }

  async listFiles(roomId: string): Promise<FileRecord[]> {
    return this.stmts.listFiles.all(roomId).map((r) => ({ path: r.path, createdAt: r.created_at, createdBy: r.created_by }));
  }

  async hasFile(roomId: string, path: string): Promise<boolean> {
    return this.stmts.hasFile.get(roomId, path)!.n > 0;
  }

  async addFile(roomId: string, file: FileRecord): Promise<boolean> {
    return this.stmts.addFile.run(roomId, file.path, file.createdAt, file.createdBy).changes === 1;
  }

  async renameFile(roomId: string, from: string, to: string): Promise<boolean> {
    return this.stmts.renameFile.run(to, roomId, from).changes === 1;
  }

  async removeFile(roomId: string, path: string): Promise<boolean> {
    return this.stmts.removeFile.run(roomId, path).changes === 1;
  }
}
