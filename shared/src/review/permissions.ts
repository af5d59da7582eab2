import { canEdit, type Role } from '../roles.js';
import type { ReviewThread } from './model.js';

/**
 * Who may resolve or reopen a thread (REV11): whoever opened it, and anyone who can change the
 * code (host, editor). A viewer reviews: opens threads, replies, edits their own comments, and
 * resolves only threads they opened.
 */
export function canResolveThread(role: Role, sub: string, thread: Pick<ReviewThread, 'createdBy'>): boolean {
  return canEdit(role) || thread.createdBy.sub === sub;
}
