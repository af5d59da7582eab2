import { RoleSchema, type JoinResponse, type Role } from '@coderoom/shared/client';
import { z } from 'zod';

// Everything this app keeps in the browser, in one place. localStorage, so that a reload or a
// second tab is the same person with the same role; "Leave room" forgets the room's session.

const LAST_NAME_KEY = 'coderoom:displayName';
const sessionKey = (roomId: string): string => `coderoom:session:${roomId}`;
const subKey = (roomId: string): string => `coderoom:sub:${roomId}`;
const RECENT_KEY = 'coderoom:recent';
/** How many rooms the recent list keeps. */
const MAX_RECENT_ROOMS = 10;

/** What a join gave us, plus when we got it (to refresh at 2/3 of the token's life). */
export const RoomSessionSchema = z.object({
  roomId: z.string(),
  roomName: z.string(),
  token: z.string(),
  /** Token expiry, ms since the epoch. */
  expiresAt: z.number(),
  /** When the token was issued to us, ms since the epoch. */
  obtainedAt: z.number(),
  role: RoleSchema,
  sub: z.string(),
  displayName: z.string(),
});
export type RoomSession = z.infer<typeof RoomSessionSchema>;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: behave as a first visit
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // storage full or disabled: the session simply will not survive a reload
  }
}

/** The display name used last time, for prefilling forms. */
export function loadDisplayName(): string {
  return read(LAST_NAME_KEY) ?? '';
}

export function saveDisplayName(name: string): void {
  write(LAST_NAME_KEY, name);
}

/** The stored session of a room, or null. */
export function loadSession(roomId: string): RoomSession | null {
  const raw = read(sessionKey(roomId));
  if (!raw) return null;
  try {
    const parsed = RoomSessionSchema.safeParse(JSON.parse(raw));
    return parsed.success && parsed.data.roomId === roomId ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveSession(session: RoomSession): void {
  write(sessionKey(session.roomId), JSON.stringify(session));
  write(subKey(session.roomId), session.sub);
  rememberRoom(session.roomId, session.roomName);
}

const RecentRoomsSchema = z.array(z.object({ roomId: z.string(), roomName: z.string(), visitedAt: z.number() }));
export type RecentRoom = z.infer<typeof RecentRoomsSchema>[number];

/** Rooms this browser joined, newest first (kept after "Leave"; shown on the offline page). */
export function recentRooms(): RecentRoom[] {
  try {
    const parsed = RecentRoomsSchema.safeParse(JSON.parse(read(RECENT_KEY) ?? '[]'));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

function rememberRoom(roomId: string, roomName: string): void {
  const rest = recentRooms().filter((r) => r.roomId !== roomId);
  write(RECENT_KEY, JSON.stringify([{ roomId, roomName, visitedAt: Date.now() }, ...rest].slice(0, MAX_RECENT_ROOMS)));
}

/** Forgets the room's token (the identity, `sub`, is kept so a rejoin is the same person). */
export function forgetSession(roomId: string): void {
  write(sessionKey(roomId), null);
}

/** The identity we had in this room before, to pass back on join. */
export function loadSub(roomId: string): string | undefined {
  const sub = read(subKey(roomId));
  return sub && /^guest:[A-Za-z0-9_-]{8,64}$/.test(sub) ? sub : undefined;
}

/** Builds a session from a join answer. */
export function sessionFromJoin(res: JoinResponse, displayName: string): RoomSession {
  return {
    roomId: res.room.id,
    roomName: res.room.name,
    token: res.token,
    expiresAt: res.expiresAt,
    obtainedAt: Date.now(),
    role: res.role as Role,
    sub: res.sub,
    displayName,
  };
}
