import type { LobbyStatus, Participant, Role } from '@coderoom/shared';

/** An invite as stored: only the SHA-256 of its secret. */
export interface InviteRecord {
  id: string;
  /** SHA-256 of the secret, base64url. */
  secretHash: string;
  roomId: string;
  role: Role;
  createdAt: number;
  /** Subject of the host who made it. */
  createdBy: string;
  expiresAt: number;
  maxUses: number;
  uses: number;
  allowGuests: boolean;
  revokedAt: number | null;
}

/** A lobby entry as stored: only the SHA-256 of its ticket. */
export interface LobbyRecord {
  id: string;
  ticketHash: string;
  roomId: string;
  inviteId: string;
  sub: string;
  name: string;
  /** The role the invite gives once admitted. */
  role: Role;
  requestedAt: number;
  status: LobbyStatus;
  decidedAt: number | null;
  decidedBy: string | null;
}

/** Why an invite could not be used. */
export type InviteRefusal = 'expired' | 'exhausted' | 'revoked' | 'missing';

/**
 * Who is in each room and how they got in: participants (anyone given a token; the role they
 * hold now, and whether a host removed them), invites and the lobby. Every implementation
 * passes `test/RoomAccessStore.contract.ts`.
 */
export interface RoomAccessStore {
  /**
   * Records that `sub` was given a token with `role`: inserts, or updates name and role of a
   * participant who is not removed. Returns the participant as stored (a removed one unchanged).
   */
  upsertParticipant(roomId: string, p: { sub: string; name: string; role: Role }, at: number): Promise<Participant>;
  /** The participant, or null. */
  participant(roomId: string, sub: string): Promise<Participant | null>;
  /** Participants of a room, oldest first (removed ones included). */
  participants(roomId: string): Promise<Participant[]>;
  /** Sets a participant's role; a removed participant is restored. Null when unknown. */
  setRole(roomId: string, sub: string, role: Role): Promise<Participant | null>;
  /** Marks a participant removed; null when unknown, unchanged when already removed. */
  remove(roomId: string, sub: string, at: number): Promise<Participant | null>;

  /** Stores a new invite. */
  createInvite(invite: InviteRecord): Promise<void>;
  /** The invite with this secret hash, or null. */
  inviteBySecret(secretHash: string): Promise<InviteRecord | null>;
  /** The room's invites, newest first. */
  invites(roomId: string): Promise<InviteRecord[]>;
  /** Revokes an invite of the room; false when unknown or already revoked. */
  revokeInvite(roomId: string, id: string, at: number): Promise<boolean>;
  /**
   * Counts one use, atomically: only while the invite is live at `now` (not revoked, not
   * expired, uses below the maximum). Returns the invite after the use, or why it was refused.
   */
  useInvite(secretHash: string, now: number): Promise<InviteRecord | InviteRefusal>;

  /** Stores a new waiting lobby entry. */
  createLobbyEntry(entry: Omit<LobbyRecord, 'status' | 'decidedAt' | 'decidedBy'>): Promise<void>;
  /** The entry with this id in this room, or null. */
  lobbyEntry(roomId: string, id: string): Promise<LobbyRecord | null>;
  /** The entry with this ticket hash, or null. */
  lobbyEntryByTicket(ticketHash: string): Promise<LobbyRecord | null>;
  /** The room's waiting entries, oldest first. */
  waiting(roomId: string): Promise<LobbyRecord[]>;
  /** Admits or refuses a waiting entry; null when unknown or already decided. */
  decide(roomId: string, id: string, status: 'admitted' | 'refused', by: string, at: number): Promise<LobbyRecord | null>;
}
