import { randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { RoomKind, Workspace, WorkspaceRole } from '@coderoom/shared';
import type { MemberRecord, RoomSettings, WorkspaceStore } from './WorkspaceStore.js';

/** Bytes of randomness in a workspace id (16 base64url characters). */
export const WORKSPACE_ID_BYTES = 12;

interface WorkspaceRow { id: string; name: string; created_at: number }
interface MemberRow { user_id: string; role: WorkspaceRole; added_at: number }
interface SettingsRow { workspace_id: string | null; kind: RoomKind; require_approval: number }

/** WorkspaceStore on SQLite. */
export class SqliteWorkspaceStore implements WorkspaceStore {
  private readonly stmts;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.stmts = {
      insert: db.prepare('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)'),
      get: db.prepare<[string], WorkspaceRow>('SELECT id, name, created_at FROM workspaces WHERE id = ?'),
      forUser: db.prepare<[string], WorkspaceRow & { role: WorkspaceRole }>(
        'SELECT w.id, w.name, w.created_at, m.role FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = ? ORDER BY w.created_at, w.id',
      ),
      role: db.prepare<[string, string], { role: WorkspaceRole }>('SELECT role FROM workspace_members WHERE workspace_id = ? AND user_id = ?'),
      members: db.prepare<[string], MemberRow>('SELECT user_id, role, added_at FROM workspace_members WHERE workspace_id = ? ORDER BY added_at, user_id'),
      owners: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM workspace_members WHERE workspace_id = ? AND role = 'owner'"),
      upsertMember: db.prepare(
        'INSERT INTO workspace_members (workspace_id, user_id, role, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role',
      ),
      deleteMember: db.prepare('DELETE FROM workspace_members WHERE workspace_id = ? AND user_id = ?'),
      setSettings: db.prepare('INSERT INTO room_settings (room_id, workspace_id, kind, require_approval) VALUES (?, ?, ?, ?)'),
      settings: db.prepare<[string], SettingsRow>('SELECT workspace_id, kind, require_approval FROM room_settings WHERE room_id = ?'),
      rooms: db.prepare<[string], { room_id: string }>(
        'SELECT s.room_id FROM room_settings s JOIN rooms r ON r.id = s.room_id WHERE s.workspace_id = ? ORDER BY r.created_at, r.id',
      ),
    };
  }

  async create(name: string, ownerId: string, at: number): Promise<Workspace> {
    const ws: Workspace = { id: randomBytes(WORKSPACE_ID_BYTES).toString('base64url'), name, createdAt: at };
    this.db.transaction(() => {
      this.stmts.insert.run(ws.id, ws.name, ws.createdAt);
      this.stmts.upsertMember.run(ws.id, ownerId, 'owner', at);
    })();
    return ws;
  }

  async get(id: string): Promise<Workspace | null> {
    const r = this.stmts.get.get(id);
    return r ? { id: r.id, name: r.name, createdAt: r.created_at } : null;
  }

  async listForUser(userId: string): Promise<(Workspace & { role: WorkspaceRole })[]> {
    return this.stmts.forUser.all(userId).map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, role: r.role }));
  }

  async role(workspaceId: string, userId: string): Promise<WorkspaceRole | null> {
    return this.stmts.role.get(workspaceId, userId)?.role ?? null;
  }

  async members(workspaceId: string): Promise<MemberRecord[]> {
    return this.stmts.members.all(workspaceId).map((r) => ({ userId: r.user_id, role: r.role, addedAt: r.added_at }));
  }

  async setMember(workspaceId: string, userId: string, role: WorkspaceRole, at: number): Promise<boolean> {
    return this.db.transaction(() => {
      if (role === 'member' && this.isLastOwner(workspaceId, userId)) return false;
      this.stmts.upsertMember.run(workspaceId, userId, role, at);
      return true;
    }).immediate();
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.isLastOwner(workspaceId, userId)) return false;
      return this.stmts.deleteMember.run(workspaceId, userId).changes === 1;
    }).immediate();
  }

  async setRoomSettings(roomId: string, s: RoomSettings): Promise<void> {
    this.stmts.setSettings.run(roomId, s.workspaceId, s.kind, s.requireApproval ? 1 : 0);
  }

  async roomSettings(roomId: string): Promise<RoomSettings | null> {
    const r = this.stmts.settings.get(roomId);
    return r ? { workspaceId: r.workspace_id, kind: r.kind, requireApproval: r.require_approval === 1 } : null;
  }

  async rooms(workspaceId: string): Promise<string[]> {
    return this.stmts.rooms.all(workspaceId).map((r) => r.room_id);
  }

  private isLastOwner(workspaceId: string, userId: string): boolean {
    return this.stmts.role.get(workspaceId, userId)?.role === 'owner' && this.stmts.owners.get(workspaceId)!.n <= 1;
  }
}
