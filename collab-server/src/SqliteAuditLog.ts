import type BetterSqlite3 from 'better-sqlite3';
import type { AuditEvent, AuditLog } from '@coderoom/shared';

/** The audit log in SQLite: append-only, one row per act. */
export class SqliteAuditLog implements AuditLog {
  private readonly insert;
  private readonly byRoom;

  constructor(db: BetterSqlite3.Database) {
    this.insert = db.prepare('INSERT INTO audit (at, room_id, actor, actor_name, action, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.byRoom = db.prepare<[string, number], { at: number; room_id: string | null; actor: string; actor_name: string; action: string; target: string | null; detail: string | null }>(
      'SELECT at, room_id, actor, actor_name, action, target, detail FROM audit WHERE room_id = ? ORDER BY id DESC LIMIT ?',
    );
  }

  append(e: AuditEvent): void {
    this.insert.run(e.at, e.roomId, e.actor, e.actorName, e.action, e.target, e.detail ? JSON.stringify(e.detail) : null);
  }

  /** Appends are committed synchronously: nothing to wait for. */
  async flush(): Promise<void> {}

  /** The newest events of a room, newest first. */
  async recent(roomId: string, limit = 100): Promise<AuditEvent[]> {
    return this.byRoom.all(roomId, limit).map((r) => ({
      at: r.at,
      roomId: r.room_id,
      actor: r.actor,
      actorName: r.actor_name,
      action: r.action,
      target: r.target,
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    }));
  }
}
