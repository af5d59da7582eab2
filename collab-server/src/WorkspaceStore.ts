import type { RoomAccess, RoomKind, Workspace, WorkspaceRole } from '@coderoom/shared';

/** A membership as stored (the API joins it with the account). */
export interface MemberRecord {
  userId: string;
  role: WorkspaceRole;
  addedAt: number;
}

/** How a room is entered, as stored beside the room (rooms made by link have no row). */
export interface RoomSettings {
  /** The workspace the room belongs to, or null. */
  workspaceId: string | null;
  kind: RoomKind;
  requireApproval: boolean;
}

/** The settings of a room without a stored row: a room made by link, open to anyone with it. */
export const LINK_ROOM_SETTINGS: RoomSettings = Object.freeze({ workspaceId: null, kind: 'review', requireApproval: false });

/** A room's access facts as the API shows them. */
export function roomAccess(s: RoomSettings): RoomAccess {
  return { workspaceId: s.workspaceId, kind: s.kind, requireApproval: s.requireApproval, joinByLink: s.workspaceId === null };
}

/**
 * Workspaces (teams), their members, and which workspace and kind each room has. Every
 * implementation passes `test/WorkspaceStore.contract.ts`.
 */
export interface WorkspaceStore {
  /** Creates a workspace with `ownerId` as its first owner (one transaction). */
  create(name: string, ownerId: string, at: number): Promise<Workspace>;
  /** The workspace, or null. */
  get(id: string): Promise<Workspace | null>;
  /** The workspaces `userId` belongs to, with their role, oldest first. */
  listForUser(userId: string): Promise<(Workspace & { role: WorkspaceRole })[]>;
  /** The member's role, or null when `userId` is not a member. */
  role(workspaceId: string, userId: string): Promise<WorkspaceRole | null>;
  /** Members, oldest first. */
  members(workspaceId: string): Promise<MemberRecord[]>;
  /**
   * Adds a member or changes their role. Refuses (false) to turn the last owner into a member,
   * so a workspace always has an owner.
   */
  setMember(workspaceId: string, userId: string, role: WorkspaceRole, at: number): Promise<boolean>;
  /** Removes a member; false when not a member or the last owner. */
  removeMember(workspaceId: string, userId: string): Promise<boolean>;
  /** Stores a room's settings (once, when the room is made). */
  setRoomSettings(roomId: string, settings: RoomSettings): Promise<void>;
  /** A room's settings, or null for rooms made by link. */
  roomSettings(roomId: string): Promise<RoomSettings | null>;
  /** Ids of the workspace's rooms, oldest first. */
  rooms(workspaceId: string): Promise<string[]>;
}
