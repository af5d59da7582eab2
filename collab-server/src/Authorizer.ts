import type { Extension, onAuthenticatePayload } from '@hocuspocus/server';
import { AppError, ForbiddenError, NotFoundError, BadRequestError, canEdit, parseDocName, type AccessClaims, type DocKind, type Role, type TokenVerifier, type Logger } from '@coderoom/shared';
import type { RoomStore } from './RoomStore.js';

/** The one document a room has of each non-file kind: `room:<id>:meta:files`, `room:<id>:review:threads`. */
const ROOM_DOCUMENTS: Record<Exclude<DocKind, 'file'>, string> = { meta: 'files', review: 'threads' };

/** What every authenticated connection carries as Hocuspocus context. */
export interface ConnectionContext {
  claims: AccessClaims;
}

/**
 * The role a subject holds in a room now (a host may have changed it since the token was
 * signed); throws FORBIDDEN for a participant a host removed.
 */
export type CurrentRole = (roomId: string, sub: string, tokenRole: Role) => Promise<Role>;

/** Per-socket context passed to `handleConnection`, before any document is authenticated. */
export interface SocketContext {
  /** Called once the socket has authenticated at least one document. */
  onAuthenticated?: (documentName: string) => void;
}

/**
 * Hocuspocus rejects an authentication by sending `permission-denied` with the thrown
 * object's `reason`. Ours read `<CODE>: <message>` with CODE from the shared ERRORS table
 * (SPEC AUTH1).
 */
/** Whether a connection to a document of `kind` is read-only for `role`: only files are written by clients. */
export function isReadOnly(kind: DocKind, role: Role): boolean {
  return kind !== 'file' || !canEdit(role);
}

export function denied(err: unknown): AppError & { reason: string } {
  const app = err instanceof AppError ? err : new AppError('INTERNAL', 'internal error');
  return Object.assign(app, { reason: `${app.code}: ${app.message}` });
}

/**
 * Checks every document connection: a valid token, a document name of the token's room, a
 * room and file that exist, a participant not removed; viewers are read-only, and so is everyone on
 * the documents the server writes for them: `meta` (the file index) and `review` (threads change
 * through the review API, which enforces authorship and who may resolve; SPEC AUTH5). The role is
 * the participant's current one (PART3).
 */
export class Authorizer implements Extension {
  readonly extensionName = 'Authorizer';
  readonly priority = 2000;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly rooms: RoomStore,
    private readonly currentRole: CurrentRole,
    private readonly logger: Logger,
  ) {}

  async onAuthenticate(data: onAuthenticatePayload): Promise<ConnectionContext> {
    const { token, documentName, connectionConfig } = data;
    try {
      const verified = await this.verifier.verify(token);
      const doc = parseDocName(documentName);
      if (!doc) throw new BadRequestError('invalid document name');
      if (doc.roomId !== verified.room) throw new ForbiddenError('token is for another room');
      const claims = { ...verified, role: await this.currentRole(verified.room, verified.sub, verified.role) };
      if (!(await this.rooms.get(doc.roomId))) throw new NotFoundError('room not found');
      if (doc.kind === 'file' && !(await this.rooms.hasFile(doc.roomId, doc.path))) throw new NotFoundError('file not found');
      // A room has exactly one document of each other kind: no client can conjure more.
      if (doc.kind !== 'file' && doc.path !== ROOM_DOCUMENTS[doc.kind]) throw new NotFoundError('document not found');
      connectionConfig.readOnly = isReadOnly(doc.kind, claims.role);
      (data.context as SocketContext).onAuthenticated?.(documentName);
      return { claims };
    } catch (err) {
      const e = denied(err);
      this.logger.info({ documentName: documentName.slice(0, 200), code: e.code }, 'onAuthenticate() | refused');
      throw e;
    }
  }
}
