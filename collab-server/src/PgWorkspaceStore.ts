import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { RoomKind, Workspace, WorkspaceRole } from '@coderoom/shared';
import type { MemberRecord, RoomSettings, WorkspaceStore } from './WorkspaceStore.js';
import { WORKSPACE_ID_BYTES } from './SqliteWorkspaceStore.js';
import { inTransaction } from './Postgres.js';

interface WorkspaceRow { id: string; name: string; created_at: number }
interface MemberRow { user_id: string; role: WorkspaceRole; added_at: number }
interface SettingsRow { workspace_id: string | null; kind: RoomKind; require_approval: boolean }

const UPSERT_MEMBER =
  'INSERT INTO workspace_members (workspace_id, user_id, role, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role';

/** WorkspaceStore on PostgreSQL. */
export class PgWorkspaceStore implements WorkspaceStore {
  constructor(private readonly pool: pg.Pool) {}

  async create(name: string, ownerId: string, at: number): Promise<Workspace> {
    const ws: Workspace = { id: randomBytes(WORKSPACE_ID_BYTES).toString('base64url'), name, createdAt: at };
    await inTransaction(this.pool, async (c) => {
      await c.query('INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)', [ws.id, ws.name, ws.createdAt]);
      await c.query(UPSERT_MEMBER, [ws.id, ownerId, 'owner', at]);
    });
    return ws;
  }

  async get(id: string): Promise<Workspace | null> {
    const { rows } = await this.pool.query<WorkspaceRow>('SELECT id, name, created_at FROM workspaces WHERE id = $1', [id]);
    const r = rows[0];
    return r ? { id: r.id, name: r.name, createdAt: r.created_at } : null;
  }

  async listForUser(userId: string): Promise<(Workspace & { role: WorkspaceRole })[]> {
    const { rows } = await this.pool.query<WorkspaceRow & { role: WorkspaceRole }>(
      'SELECT w.id, w.name, w.created_at, m.role FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = $1 ORDER BY w.created_at, w.id COLLATE "C"',
      [userId],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, role: r.role }));
  }

  async role(workspaceId: string, userId: string): Promise<WorkspaceRole | null> {
    return roleOf(this.pool, workspaceId, userId);
  }

  async members(workspaceId: string): Promise<MemberRecord[]> {
    const { rows } = await this.pool.query<MemberRow>(
      'SELECT user_id, role, added_at FROM workspace_members WHERE workspace_id = $1 ORDER BY added_at, user_id COLLATE "C"',
      [workspaceId],
    );
    return rows.map((r) => ({ userId: r.user_id, role: r.role, addedAt: r.added_at }));
  }

  async setMember(workspaceId: string, userId: string, role: WorkspaceRole, at: number): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      if (role === 'member' && (await isLastOwner(c, workspaceId, userId))) return false;
      await c.query(UPSERT_MEMBER, [workspaceId, userId, role, at]);
      return true;
    });
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      if (await isLastOwner(c, workspaceId, userId)) return false;
      const { rowCount } = await c.query('DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2', [workspaceId, userId]);
      return rowCount === 1;
    });
  }

  async setRoomSettings(roomId: string, s: RoomSettings): Promise<void> {
    await this.pool.query('INSERT INTO room_settings (room_id, workspace_id, kind, require_approval) VALUES ($1, $2, $3, $4)', [
      roomId,
      s.workspaceId,
      s.kind,
      s.requireApproval,
    ]);
  }

  async roomSettings(roomId: string): Promise<RoomSettings | null> {
    const { rows } = await this.pool.query<SettingsRow>('SELECT workspace_id, kind, require_approval FROM room_settings WHERE room_id = $1', [roomId]);
    const r = rows[0];
    return r ? { workspaceId: r.workspace_id, kind: r.kind, requireApproval: r.require_approval } : null;
  }

  async rooms(workspaceId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ room_id: string }>(
      'SELECT s.room_id FROM room_settings s JOIN rooms r ON r.id = s.room_id WHERE s.workspace_id = $1 ORDER BY r.created_at, r.id COLLATE "C"',
      [workspaceId],
    );
    return rows.map((r) => r.room_id);
  }
}

async function roleOf(db: pg.Pool, workspaceId: string, userId: string): Promise<WorkspaceRole | null> {
  const { rows } = await db.query<{ role: WorkspaceRole }>('SELECT role FROM workspace_members WHERE workspace_id = $1 AND user_id = $2', [workspaceId, userId]);
  return rows[0]?.role ?? null;
}

/**
 * Whether `userId` is the workspace's only owner. The owners' rows are locked first (FOR UPDATE),
 * so two demotions of the last two owners at once cannot both pass.
 */
async function isLastOwner(c: pg.PoolClient, workspaceId: string, userId: string): Promise<boolean> {
  const { rows } = await c.query<{ user_id: string }>("SELECT user_id FROM workspace_members WHERE workspace_id = $1 AND role = 'owner' FOR UPDATE", [workspaceId]);
  return rows.length <= 1 && rows[0]?.user_id === userId;
}
