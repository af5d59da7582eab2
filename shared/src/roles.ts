import { z } from 'zod';

/** A participant's role in a room. */
export const RoleSchema = z.enum(['host', 'editor', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;

/** Whether a role may change documents (create, edit, rename, delete files). */
export function canEdit(role: Role): boolean {
  return role === 'host' || role === 'editor';
}

/** Whether a role may manage the room (roles, terminal control, recordings). */
export function isHost(role: Role): boolean {
  return role === 'host';
}
