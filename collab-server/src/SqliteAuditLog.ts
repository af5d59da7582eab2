import type BetterSqlite3 from 'better-sqlite3';
import { AUDIT_PAGE_ROWS, type AuditEntry, type AuditEvent, type AuditFilter, type AuditLog } from '@coderoom/shared';

interface AuditRow { id: number; at: number; room_id: string | null; workspace_id: string | null; actor: string; actor_name: string; action: string; target: string | null; detail: string | null }

/** The audit log in SQLite: append-only, one row per act. */
export class SqliteAuditLog implements AuditLog {
  private readonly insert;

  constructor(private readonly db: BetterSqlite3.Database) {
    // A room's workspace is looked up here, so planes that only know the room (terminals, calls) need not.
    this.insert = db.prepare(
      `INSERT INTO audit (at, room_id, workspace_id, actor, actor_name, action, target, detail)
       VALUES (?, ?, coalesce(?, (SELECT workspace_id FROM room_settings WHERE room_id = ?)), ?, ?, ?, ?, ?)`,
    );
  }

  append(e: AuditEvent): void {
    this.insert.run(e.at, e.roomId, e.workspaceId ?? null, e.roomId, e.actor, e.actorName, e.action, e.target, e.detail ? JSON.stringify(e.detail) : null);
  }

  /** Appends are committed synchronously: nothing to wait for. */
  async flush(): Promise<void> {}

  async *query(f: AuditFilter): AsyncIterable<AuditEntry> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, ...values: (string | number)[]): void => {
      where.push(clause);
      args.push(...values);
    };
    if (f.scope !== 'all') {
      if ('roomId' in f.scope) add('room_id = ?', f.scope.roomId);
      else add('workspace_id = ?', f.scope.workspaceId);
    }
    if (f.from !== undefined) add('at >= ?', f.from);
    if (f.to !== undefined) add('at <= ?', f.to);
    if (f.actor !== undefined) add('actor = ?', f.actor);
    // substr, not LIKE: an action may contain `_`, a LIKE wildcard.
    if (f.action?.endsWith('.*')) add('substr(action, 1, ?) = ?', f.action.length - 1, f.action.slice(0, -1));
    else if (f.action !== undefined) add('action = ?', f.action);
    // Pages by (at, id): better-sqlite3 allows no other statement on the connection while an
    // iterator is open, and an export may stream for a while as other requests append rows.
    const base = `SELECT id, at, room_id, workspace_id, actor, actor_name, action, target, detail FROM audit WHERE 1 = 1 ${where.map((w) => `AND ${w}`).join(' ')}`;
    const first = this.db.prepare<(string | number)[], AuditRow>(`${base} ORDER BY at DESC, id DESC LIMIT ?`);
    const next = this.db.prepare<(string | number)[], AuditRow>(`${base} AND (at < ? OR (at = ? AND id < ?)) ORDER BY at DESC, id DESC LIMIT ?`);
    let left = f.limit;
    let last: AuditRow | undefined;
    while (left > 0) {
      const n = Math.min(left, AUDIT_PAGE_ROWS);
      const rows = last ? next.all(...args, last.at, last.at, last.id, n) : first.all(...args, n);
      for (const row of rows) yield toEntry(row);
      if (rows.length < n) return;
      left -= rows.length;
      last = rows[rows.length - 1];
    }
  }
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    roomId: r.room_id,
    workspaceId: r.workspace_id,
    actor: r.actor,
    actorName: r.actor_name,
    action: r.action,
    target: r.target,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  };
}
