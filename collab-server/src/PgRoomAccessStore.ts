import type pg from 'pg';
import type { Participant, Role } from '@coderoom/shared';
import type { InviteRecord, InviteRefusal, LobbyRecord, RoomAccessStore } from './RoomAccessStore.js';
import { inTransaction } from './Postgres.js';
import { I_COLS, L_COLS, P_COLS, toInvite, toLobby, toParticipant, type InviteRow, type LobbyRow, type ParticipantRow } from './SqliteRoomAccessStore.js';

/** PostgreSQL keeps `allow_guests` as a BOOLEAN where SQLite has 0/1; the rest is as in SQLite. */
type PgInviteRow = Omit<InviteRow, 'allow_guests'> & { allow_guests: boolean };
const toPgInvite = (r: PgInviteRow): InviteRecord => toInvite({ ...r, allow_guests: r.allow_guests ? 1 : 0 });

/** RoomAccessStore on PostgreSQL; each change is one statement (RETURNING), so concurrent nodes stay consistent. */
export class PgRoomAccessStore implements RoomAccessStore {
  constructor(private readonly pool: pg.Pool) {}

  async upsertParticipant(roomId: string, p: { sub: string; name: string; role: Role }, at: number): Promise<Participant> {
    await this.pool.query(
      `INSERT INTO participants (room_id, sub, name, role, joined_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (room_id, sub) DO UPDATE SET name = excluded.name, role = excluded.role WHERE participants.removed_at IS NULL`,
      [roomId, p.sub, p.name, p.role, at],
    );
    return (await this.participant(roomId, p.sub))!;
  }

  async participant(roomId: string, sub: string): Promise<Participant | null> {
    const { rows } = await this.pool.query<ParticipantRow>(`SELECT ${P_COLS} FROM participants WHERE room_id = $1 AND sub = $2`, [roomId, sub]);
    return rows[0] ? toParticipant(rows[0]) : null;
  }

  async participants(roomId: string): Promise<Participant[]> {
    const { rows } = await this.pool.query<ParticipantRow>(`SELECT ${P_COLS} FROM participants WHERE room_id = $1 ORDER BY joined_at, sub COLLATE "C"`, [roomId]);
    return rows.map(toParticipant);
  }

  async setRole(roomId: string, sub: string, role: Role): Promise<Participant | null> {
    await this.pool.query('UPDATE participants SET role = $1, removed_at = NULL WHERE room_id = $2 AND sub = $3', [role, roomId, sub]);
    return this.participant(roomId, sub);
  }

  async remove(roomId: string, sub: string, at: number): Promise<Participant | null> {
    await this.pool.query('UPDATE participants SET removed_at = $1 WHERE room_id = $2 AND sub = $3 AND removed_at IS NULL', [at, roomId, sub]);
    return this.participant(roomId, sub);
  }

  async createInvite(i: InviteRecord): Promise<void> {
    await this.pool.query(`INSERT INTO invites (${I_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
      i.id, i.secretHash, i.roomId, i.role, i.createdAt, i.createdBy, i.expiresAt, i.maxUses, i.uses, i.allowGuests, i.revokedAt,
    ]);
  }

  async inviteBySecret(secretHash: string): Promise<InviteRecord | null> {
    const { rows } = await this.pool.query<PgInviteRow>(`SELECT ${I_COLS} FROM invites WHERE secret_hash = $1`, [secretHash]);
    return rows[0] ? toPgInvite(rows[0]) : null;
  }

  async invites(roomId: string): Promise<InviteRecord[]> {
    const { rows } = await this.pool.query<PgInviteRow>(`SELECT ${I_COLS} FROM invites WHERE room_id = $1 ORDER BY created_at DESC, id COLLATE "C"`, [roomId]);
    return rows.map(toPgInvite);
  }

  async revokeInvite(roomId: string, id: string, at: number): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE invites SET revoked_at = $1 WHERE room_id = $2 AND id = $3 AND revoked_at IS NULL', [at, roomId, id]);
    return rowCount === 1;
  }

  async useInvite(secretHash: string, now: number): Promise<InviteRecord | InviteRefusal> {
    return inTransaction(this.pool, async (c): Promise<InviteRecord | InviteRefusal> => {
      // The UPDATE's row lock serialises concurrent uses: a waiting one re-checks `uses < max_uses`.
      const used = await c.query<PgInviteRow>(
        `UPDATE invites SET uses = uses + 1 WHERE secret_hash = $1 AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses RETURNING ${I_COLS}`,
        [secretHash, now],
      );
      if (used.rows[0]) return toPgInvite(used.rows[0]);
      const { rows } = await c.query<PgInviteRow>(`SELECT ${I_COLS} FROM invites WHERE secret_hash = $1`, [secretHash]);
      const row = rows[0];
      if (!row) return 'missing';
      // Revoked first: a revoked link says so even after it would have expired.
      if (row.revoked_at !== null) return 'revoked';
      if (row.expires_at <= now) return 'expired';
      return 'exhausted';
    });
  }

  async createLobbyEntry(e: Omit<LobbyRecord, 'status' | 'decidedAt' | 'decidedBy'>): Promise<void> {
    await this.pool.query(`INSERT INTO lobby (${L_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', NULL, NULL)`, [
      e.id, e.ticketHash, e.roomId, e.inviteId, e.sub, e.name, e.role, e.requestedAt,
    ]);
  }

  async lobbyEntry(roomId: string, id: string): Promise<LobbyRecord | null> {
    const { rows } = await this.pool.query<LobbyRow>(`SELECT ${L_COLS} FROM lobby WHERE room_id = $1 AND id = $2`, [roomId, id]);
    return rows[0] ? toLobby(rows[0]) : null;
  }

  async lobbyEntryByTicket(ticketHash: string): Promise<LobbyRecord | null> {
    const { rows } = await this.pool.query<LobbyRow>(`SELECT ${L_COLS} FROM lobby WHERE ticket_hash = $1`, [ticketHash]);
    return rows[0] ? toLobby(rows[0]) : null;
  }

  async waiting(roomId: string): Promise<LobbyRecord[]> {
    const { rows } = await this.pool.query<LobbyRow>(
      `SELECT ${L_COLS} FROM lobby WHERE room_id = $1 AND status = 'waiting' ORDER BY requested_at, id COLLATE "C"`,
      [roomId],
    );
    return rows.map(toLobby);
  }

  async decide(roomId: string, id: string, status: 'admitted' | 'refused', by: string, at: number): Promise<LobbyRecord | null> {
    const { rows } = await this.pool.query<LobbyRow>(
      `UPDATE lobby SET status = $1, decided_at = $2, decided_by = $3 WHERE room_id = $4 AND id = $5 AND status = 'waiting' RETURNING ${L_COLS}`,
      [status, at, by, roomId, id],
    );
    return rows[0] ? toLobby(rows[0]) : null;
  }
}
