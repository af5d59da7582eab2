import { AccessNoticeSchema, type Role } from '@coderoom/shared/client';

/**
 * Reads a Hocuspocus stateless payload; returns the new role when it is an `access.role` notice
 * (collab-server/SPEC.md PART3), else null. Anything malformed is ignored.
 */
export function parseAccessNotice(payload: string): Role | null {
  try {
    const parsed = AccessNoticeSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data.role : null;
  } catch {
    return null;
  }
}
