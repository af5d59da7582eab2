import type pg from 'pg';
import { AUDIT_PAGE_ROWS, type AuditEvent, type AuditFilter, type AuditLog } from './audit.js';
import type { AuditEntry } from './protocol/access.js';
import type { Logger } from './logger.js';

/** Most events written in one INSERT. */
const MAX_AUDIT_BATCH = 500;
/** Events held while PostgreSQL is unreachable; past this the oldest are dropped (and logged). */
export const MAX_AUDIT_BACKLOG = 10_000;
/** Wait before retrying a failed write. */
const AUDIT_RETRY_MS = 1000;

interface AuditRow { id: number; at: number; room_id: string | null; workspace_id: string | null; actor: string; actor_name: string; action: string; target: string | null; detail: Record<string, unknown> | null }

/**
 * The audit log in PostgreSQL (table `audit`, created by collab-server's migrations). `append`
 * is synchronous for its callers (the AuditSink contract), so events are queued in order and
 * written in batches right away, one INSERT per batch; a failed write is retried every second
 * with the backlog bounded. `flush()` waits for the queue, and shutdown calls it.
 */
export class PgAuditLog implements AuditLog {
  private queue: AuditEvent[] = [];
  private writing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  append(event: AuditEvent): void {
    this.queue.push(event);
    if (this.queue.length > MAX_AUDIT_BACKLOG) {
      const dropped = this.queue.splice(0, this.queue.length - MAX_AUDIT_BACKLOG);
      this.logger.error({ dropped: dropped.length }, 'append() | audit backlog full, oldest events dropped');
    }
    if (!this.writing && !this.retryTimer) this.writing = this.drain();
  }

  /** Resolves once the queue is written, or after `timeoutMs` (while PostgreSQL is unreachable). */
  async flush(timeoutMs = Infinity): Promise<void> {
    if (this.queue.length === 0 && !this.writing) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.idle.push(resolve);
      if (Number.isFinite(timeoutMs)) timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
  }

  /** Rows newest first, read in pages by (at, id) so an export streams while rows are appended. */
  async *query(f: AuditFilter): AsyncIterable<AuditEntry> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: (...p: string[]) => string, ...values: (string | number)[]): void => {
      where.push(clause(...values.map((v) => `$${args.push(v)}`)));
    };
    if (f.scope !== 'all') {
      if ('roomId' in f.scope) add((p) => `room_id = ${p}`, f.scope.roomId);
      else add((p) => `workspace_id = ${p}`, f.scope.workspaceId);
    }
    if (f.from !== undefined) add((p) => `at >= ${p}`, f.from);
    if (f.to !== undefined) add((p) => `at <= ${p}`, f.to);
    if (f.actor !== undefined) add((p) => `actor = ${p}`, f.actor);
    // left(), not LIKE: an action may contain `_`, a LIKE wildcard.
    if (f.action?.endsWith('.*')) add((n, p) => `left(action, ${n}) = ${p}`, f.action.length - 1, f.action.slice(0, -1));
    else if (f.action !== undefined) add((p) => `action = ${p}`, f.action);
    const base = `SELECT id, at, room_id, workspace_id, actor, actor_name, action, target, detail FROM audit WHERE true ${where.map((w) => `AND ${w}`).join(' ')}`;
    let left = f.limit;
    let last: AuditRow | undefined;
    while (left > 0) {
      const n = Math.min(left, AUDIT_PAGE_ROWS);
      const k = args.length;
      const { rows } = last
        ? await this.pool.query<AuditRow>(`${base} AND (at, id) < ($${k + 1}, $${k + 2}) ORDER BY at DESC, id DESC LIMIT $${k + 3}`, [...args, last.at, last.id, n])
        : await this.pool.query<AuditRow>(`${base} ORDER BY at DESC, id DESC LIMIT $${k + 1}`, [...args, n]);
      for (const r of rows) {
        yield { id: r.id, at: r.at, roomId: r.room_id, workspaceId: r.workspace_id, actor: r.actor, actorName: r.actor_name, action: r.action, target: r.target, detail: r.detail };
      }
      if (rows.length < n) return;
      left -= rows.length;
      last = rows[rows.length - 1];
    }
  }

  /** Stops retrying; events not yet written are logged as lost. Call `flush()` first. */
  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.queue.length > 0) this.logger.error({ lost: this.queue.length }, 'close() | audit events not written');
    this.queue = [];
    this.settle();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, MAX_AUDIT_BATCH);
      try {
        await this.pool.query(
          // A room's workspace is looked up here, so planes that only know the room (terminals, calls) need not.
          `INSERT INTO audit (at, room_id, workspace_id, actor, actor_name, action, target, detail)
           SELECT (v->>'at')::bigint, v->>'room_id',
                  coalesce(v->>'workspace_id', (SELECT s.workspace_id FROM room_settings s WHERE s.room_id = v->>'room_id')),
                  v->>'actor', v->>'actor_name', v->>'action', v->>'target', nullif(v->'detail', 'null'::jsonb)
           FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(v, ord)
           ORDER BY ord`,
          [JSON.stringify(batch.map((e) => ({ at: e.at, room_id: e.roomId, workspace_id: e.workspaceId ?? null, actor: e.actor, actor_name: e.actorName, action: e.action, target: e.target, detail: e.detail })))],
        );
        this.queue.splice(0, batch.length);
      } catch (err) {
        this.logger.error({ err, pending: this.queue.length }, 'drain() | audit write failed, retrying');
        this.writing = null;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (!this.writing) this.writing = this.drain();
        }, AUDIT_RETRY_MS);
        this.retryTimer.unref();
        return;
      }
    }
    this.writing = null;
    this.settle();
  }

  private settle(): void {
    if (this.queue.length > 0 || this.writing) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
