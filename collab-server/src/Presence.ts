import type { connectedPayload, Extension, onDisconnectPayload } from '@hocuspocus/server';
import type { AuditSink } from '@coderoom/shared';
import type { ConnectionContext } from './Authorizer.js';

/**
 * Audits presence on documents: `room.enter` when a person's first document connection in a
 * room opens, `room.leave` when their last one closes (AUDIT1). Counts are per process.
 */
export class Presence implements Extension {
  readonly extensionName = 'Presence';
  /** Open document connections per `<roomId>\0<sub>`. */
  private readonly open = new Map<string, number>();

  constructor(private readonly audit: AuditSink) {}

  async connected({ context }: connectedPayload): Promise<void> {
    const claims = (context as Partial<ConnectionContext>).claims;
    if (!claims) return;
    const key = `${claims.room}\0${claims.sub}`;
    const n = (this.open.get(key) ?? 0) + 1;
    this.open.set(key, n);
    if (n === 1) this.audit.append({ at: Date.now(), roomId: claims.room, actor: claims.sub, actorName: claims.name, action: 'room.enter', target: claims.room, detail: { role: claims.role } });
  }

  async onDisconnect({ context }: onDisconnectPayload): Promise<void> {
    const claims = (context as Partial<ConnectionContext>).claims;
    if (!claims) return;
    const key = `${claims.room}\0${claims.sub}`;
    const n = (this.open.get(key) ?? 0) - 1;
    if (n > 0) return void this.open.set(key, n);
    this.open.delete(key);
    this.audit.append({ at: Date.now(), roomId: claims.room, actor: claims.sub, actorName: claims.name, action: 'room.leave', target: claims.room, detail: null });
  }
}
