import type BetterSqlite3 from 'better-sqlite3';
import type { LobbyStatus, Participant, Role } from '@coderoom/shared';
import type { InviteRecord, InviteRefusal, LobbyRecord, RoomAccessStore } from './RoomAccessStore.js';

export interface ParticipantRow { sub: string; name: string; role: Role; joined_at: number; removed_at: number | null }
export interface InviteRow {
  id: string; secret_hash: string; room_id: string; role: Role; created_at: number; created_by: string;
  expires_at: number; max_uses: number; uses: number; allow_guests: number; revoked_at: number | null;
}
export interface LobbyRow {
  id: string; ticket_hash: string; room_id: string; invite_id: string; sub: string; name: string; role: Role;
  requested_at: number; status: LobbyStatus; decided_at: number | null; decided_by: string | null;
}

export const P_COLS = 'sub, name, role, joined_at, removed_at';
export const I_COLS = 'id, secret_hash, room_id, role, created_at, created_by, expires_at, max_uses, uses, allow_guests, revoked_at';
export const L_COLS = 'id, ticket_hash, room_id, invite_id, sub, name, role, requested_at, status, decided_at, decided_by';

export const toParticipant = (r: ParticipantRow): Participant => ({ sub: r.sub, name: r.name, role: r.role, joinedAt: r.joined_at, removedAt: r.removed_at });
export const toInvite = (r: InviteRow): InviteRecord => ({
  id: r.id, secretHash: r.secret_hash, roomId: r.room_id, role: r.role, createdAt: r.created_at, createdBy: r.created_by,
  expiresAt: r.expires_at, maxUses: r.max_uses, uses: r.uses, allowGuests: r.allow_guests === 1, revokedAt: r.revoked_at,
});
export const toLobby = (r: LobbyRow): LobbyRecord => ({
  id: r.id, ticketHash: r.ticket_hash, roomId: r.room_id, inviteId: r.invite_id, sub: r.sub, name: r.name, role: r.role,
  requestedAt: r.requested_at, status: r.status, decidedAt: r.decided_at, decidedBy: r.decided_by,
});

/** RoomAccessStore on SQLite. */
export class SqliteRoomAccessStore implements RoomAccessStore {
  private readonly s;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.s = {
      upsertP: db.prepare(
        `INSERT INTO participants (room_id, sub, name, role, joined_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (room_id, sub) DO UPDATE SET name = excluded.name, role = excluded.role WHERE removed_at IS NULL`,
      ),
      getP: db.prepare<[string, string], ParticipantRow>(`SELECT ${P_COLS} FROM participants WHERE room_id = ? AND sub = ?`),
      listP: db.prepare<[string], ParticipantRow>(`SELECT ${P_COLS} FROM participants WHERE room_id = ? ORDER BY joined_at, sub`),
      setRole: db.prepare('UPDATE participants SET role = ?, removed_at = NULL WHERE room_id = ? AND sub = ?'),
      remove: db.prepare('UPDATE participants SET removed_at = ? WHERE room_id = ? AND sub = ? AND removed_at IS NULL'),
      insertI: db.prepare(`INSERT INTO invites (${I_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getIBySecret: db.prepare<[string], InviteRow>(`SELECT ${I_COLS} FROM invites WHERE secret_hash = ?`),
      listI: db.prepare<[string], InviteRow>(`SELECT ${I_COLS} FROM invites WHERE room_id = ? ORDER BY created_at DESC, id`),
      revokeI: db.prepare('UPDATE invites SET revoked_at = ? WHERE room_id = ? AND id = ? AND revoked_at IS NULL'),
      useI: db.prepare('UPDATE invites SET uses = uses + 1 WHERE secret_hash = ? AND revoked_at IS NULL AND expires_at > ? AND uses < max_uses'),
      insertL: db.prepare(`INSERT INTO lobby (${L_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'waiting', NULL, NULL)`),
      getL: db.prepare<[string, string], LobbyRow>(`SELECT ${L_COLS} FROM lobby WHERE room_id = ? AND id = ?`),
      getLByTicket: db.prepare<[string], LobbyRow>(`SELECT ${L_COLS} FROM lobby WHERE ticket_hash = ?`),
      waiting: db.prepare<[string], LobbyRow>(`SELECT ${L_COLS} FROM lobby WHERE room_id = ? AND status = 'waiting' ORDER BY requested_at, id`),
      decide: db.prepare("UPDATE lobby SET status = ?, decided_at = ?, decided_by = ? WHERE room_id = ? AND id = ? AND status = 'waiting'"),
    };
  }

  async upsertParticipant(roomId: string, p: { sub: string; name: string; role: Role }, at: number): Promise<Participant> {
    this.s.upsertP.run(roomId, p.sub, p.name, p.role, at);
    return toParticipant(this.s.getP.get(roomId, p.sub)!);
  }

  async participant(roomId: string, sub: string): Promise<Participant | null> {
    const r = this.s.getP.get(roomId, sub);
    return r ? toParticipant(r) : null;
  }

  async participants(roomId: string): Promise<Participant[]> {
    return this.s.listP.all(roomId).map(toParticipant);
  }

  async setRole(roomId: string, sub: string, role: Role): Promise<Participant | null> {
    this.s.setRole.run(role, roomId, sub);
    return this.participant(roomId, sub);
  }

  async remove(roomId: string, sub: string, at: number): Promise<Participant | null> {
    this.s.remove.run(at, roomId, sub);
    return this.participant(roomId, sub);
  }

  async createInvite(i: InviteRecord): Promise<void> {
    this.s.insertI.run(i.id, i.secretHash, i.roomId, i.role, i.createdAt, i.createdBy, i.expiresAt, i.maxUses, i.uses, i.allowGuests ? 1 : 0, i.revokedAt);
  }

  async inviteBySecret(secretHash: string): Promise<InviteRecord | null> {
    const r = this.s.getIBySecret.get(secretHash);
    return r ? toInvite(r) : null;
  }

  async invites(roomId: string): Promise<InviteRecord[]> {
    return this.s.listI.all(roomId).map(toInvite);
  }

  async revokeInvite(roomId: string, id: string, at: number): Promise<boolean> {
    return this.s.revokeI.run(at, roomId, id).changes === 1;
  }

  async useInvite(secretHash: string, now: number): Promise<InviteRecord | InviteRefusal> {
    return this.db.transaction((): InviteRecord | InviteRefusal => {
      const used = this.s.useI.run(secretHash, now).changes === 1;
      const row = this.s.getIBySecret.get(secretHash);
      if (!row) return 'missing';
      if (used) return toInvite(row);
      // Revoked first: a revoked link says so even after it would have expired.
      if (row.revoked_at !== null) return 'revoked';
      if (row.expires_at <= now) return 'expired';
      return 'exhausted';
    }).immediate();
  }

  async createLobbyEntry(e: Omit<LobbyRecord, 'status' | 'decidedAt' | 'decidedBy'>): Promise<void> {
    this.s.insertL.run(e.id, e.ticketHash, e.roomId, e.inviteId, e.sub, e.name, e.role, e.requestedAt);
  }

  async lobbyEntry(roomId: string, id: string): Promise<LobbyRecord | null> {
    const r = this.s.getL.get(roomId, id);
    return r ? toLobby(r) : null;
  }

  async lobbyEntryByTicket(ticketHash: string): Promise<LobbyRecord | null> {
    const r = this.s.getLByTicket.get(ticketHash);
    return r ? toLobby(r) : null;
  }

  async waiting(roomId: string): Promise<LobbyRecord[]> {
    return this.s.waiting.all(roomId).map(toLobby);
  }

  async decide(roomId: string, id: string, status: 'admitted' | 'refused', by: string, at: number): Promise<LobbyRecord | null> {
    if (this.s.decide.run(status, at, by, roomId, id).changes !== 1) return null;
    return this.lobbyEntry(roomId, id);
  }
}
