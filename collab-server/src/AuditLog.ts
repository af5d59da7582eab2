import type { AuditEntry, AuditSink } from '@coderoom/shared';

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

/**
 * The append-only audit log. `append` is synchronous so planes can call it on any path;
 * `query` yields rows newest first, one at a time, so exports stream without holding the log
 * in memory. Every implementation passes `test/AuditLog.contract.ts`.
 */
export interface AuditLog extends AuditSink {
  query(filter: AuditFilter): AsyncIterable<AuditEntry>;
}
