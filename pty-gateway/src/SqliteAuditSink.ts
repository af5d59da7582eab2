import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEvent, AuditSink } from '@coderoom/shared';

/** The standalone gateway's own audit log (the hub passes its control plane's sink instead). */
export class SqliteAuditSink implements AuditSink {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS audit (
      id INTEGER PRIMARY KEY, at INTEGER NOT NULL, room_id TEXT, actor TEXT NOT NULL, actor_name TEXT NOT NULL,
      action TEXT NOT NULL, target TEXT, detail TEXT)`);
    this.insert = this.db.prepare('INSERT INTO audit (at, room_id, actor, actor_name, action, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  append(e: AuditEvent): void {
    this.insert.run(e.at, e.roomId, e.actor, e.actorName, e.action, e.target, e.detail ? JSON.stringify(e.detail) : null);
  }

  /** Idempotent. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
