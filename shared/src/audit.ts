import type { AuditEntry } from './protocol/access.js';

/** One security-relevant act, appended to the audit log. */
export interface AuditEvent {
  /** When it happened, ms since the epoch. */
  at: number;
  /** The room it happened in, or null for instance-wide acts. */
  roomId: string | null;
  /**
   * The workspace it happened in, when known without a lookup; the control plane's log fills it
   * in from the room otherwise.
   */
  workspaceId?: string | null;
  /** Token subject of whoever did it (`system` for the server itself). */
  actor: string;
  /** Their display name at the time. */
  actorName: string;
  /** What was done, dotted: `room.create`, `room.join`, `file.create`, `terminal.input`, ... */
  action: string;
  /** What it was done to (a file path, a terminal id), if anything. */
  target: string | null;
  /** Extra structured facts (never secrets). */
  detail: Record<string, unknown> | null;
}

/** Where planes append audit events; the control plane's database implements it. */
export interface AuditSink {
  append(event: AuditEvent): void;
}

/** Which rows a reader may see: one room's (hosts), one workspace's (owners), or all (the admin). */
export type AuditScope = { roomId: string } | { workspaceId: string } | 'all';

/** A query of the audit log; every field narrows it. */
export interface AuditFilter {
  scope: AuditScope;
  /** Earliest `at`, inclusive (ms since the epoch). */
  from?: number;
  /** Latest `at`, inclusive. */
  to?: number;
  /** Exact actor (`user:<id>`, `guest:<random>`, `anonymous`, `system`). */
  actor?: string;
  /** Exact action, or a prefix ending in `.*` (`room.*`). */
  action?: string;
  /** Most rows. */
  limit: number;
}

/** Rows read from the database at a time while a query streams. */
export const AUDIT_PAGE_ROWS = 500;

/**
 * The append-only audit log kept in the control plane's database. `append` is synchronous so
 * planes can call it on any path; `flush` resolves once every event appended so far is stored
 * (or has failed and been logged); `query` yields rows newest first, one at a time, so exports
 * stream without holding the log in memory. Every implementation passes
 * collab-server's `test/AuditLog.contract.ts`.
 */
export interface AuditLog extends AuditSink {
  flush(): Promise<void>;
  query(filter: AuditFilter): AsyncIterable<AuditEntry>;
}
