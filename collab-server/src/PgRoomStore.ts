import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Room } from '@coderoom/shared';
import type { FileRecord, RoomStore } from './RoomStore.js';
import { isUniqueViolation } from './Postgres.js';
import { ROOM_ID_BYTES } from './SqliteRoomStore.js';

interface RoomRow { id: string; name: string; created_at: number }
interface FileRow { path: string; created_at: number; created_by: string }

/** RoomStore on PostgreSQL. */
export class PgRoomStore implements RoomStore {
  constructor(private readonly pool: pg.Pool) {}

  async create(name: string): Promise<Room> {
    const room: Room = { id: randomBytes(ROOM_ID_BYTES).toString('base64url'), name, createdAt: Date.now() };
    await this.pool.query('INSERT INTO rooms (id, name, created_at) VALUES ($1, $2, $3)', [room.id, room.name, room.createdAt]);
    return room;
  }

  async get(id: string): Promise<Room | null> {
    const { rows } = await this.pool.query<RoomRow>('SELECT id, name, created_at FROM rooms WHERE id = $1', [id]);
    const row = rows[0];
    return row ? { id: row.id, name: row.name, createdAt: row.created_at } : null;
  }

  async listFiles(roomId: string): Promise<FileRecord[]> {
    const { rows } = await this.pool.query<FileRow>('SELECT path, created_at, created_by FROM files WHERE room_id = $1 ORDER BY path COLLATE "C"', [roomId]);
    return rows.map((r) => ({ path: r.path, createdAt: r.created_at, createdBy: r.created_by }));
  }

  async hasFile(roomId: string, path: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM files WHERE room_id = $1 AND path = $2', [roomId, path]);
    return rowCount === 1;
  }

  async addFile(roomId: string, file: FileRecord): Promise<boolean> {
    const { rowCount } = await this.pool.query('INSERT INTO files (room_id, path, created_at, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      roomId,
      file.path,
      file.createdAt,
      file.createdBy,
    ]);
    return rowCount === 1;
  }

  async renameFile(roomId: string, from: string, to: string): Promise<boolean> {
    try {
      const { rowCount } = await this.pool.query('UPDATE files SET path = $1 WHERE room_id = $2 AND path = $3', [to, roomId, from]);
      return rowCount === 1;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async removeFile(roomId: string, path: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM files WHERE room_id = $1 AND path = $2', [roomId, path]);
    return rowCount === 1;
  }
}
