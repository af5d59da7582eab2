import type pg from 'pg';
import type { AuditEvent, AuditLog } from './audit.js';
import type { Logger } from './logger.js';

/** Most events written in one INSERT. */
const MAX_AUDIT_BATCH = 500;
/** Events held while PostgreSQL is unreachable; past this the oldest are dropped (and logged). */
export const MAX_AUDIT_BACKLOG = 10_000;
/** Wait before retrying a failed write. */
const AUDIT_RETRY_MS = 1000;

interface AuditRow { at: number; room_id: string | null; actor: string; actor_name: string; action: string; target: string | null; detail: Record<string, unknown> | null }

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

  async recent(roomId: string, limit = 100): Promise<AuditEvent[]> {
    const { rows } = await this.pool.query<AuditRow>(
      'SELECT at, room_id, actor, actor_name, action, target, detail FROM audit WHERE room_id = $1 ORDER BY id DESC LIMIT $2',
      [roomId, limit],
    );
    return rows.map((r) => ({ at: Number(r.at), roomId: r.room_id, actor: r.actor, actorName: r.actor_name, action: r.action, target: r.target, detail: r.detail }));
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
          `INSERT INTO audit (at, room_id, actor, actor_name, action, target, detail)
           SELECT (v->>'at')::bigint, v->>'room_id', v->>'actor', v->>'actor_name', v->>'action', v->>'target', nullif(v->'detail', 'null'::jsonb)
           FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(v, ord)
           ORDER BY ord`,
          [JSON.stringify(batch.map((e) => ({ at: e.at, room_id: e.roomId, actor: e.actor, actor_name: e.actorName, action: e.action, target: e.target, detail: e.detail })))],
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
