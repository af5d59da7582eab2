import type pg from 'pg';
import { mergeSnapshot, type DocumentStore, type StoredDocument } from './DocumentStore.js';
import { inTransaction, toBuffer } from './Postgres.js';

/** Most updates written in one INSERT (one commit). */
const MAX_APPEND_BATCH = 256;

/** One waiting append. */
interface PendingAppend {
  update: Buffer;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

/** Appends to one document waiting for the batch in flight. */
interface AppendQueue {
  pending: PendingAppend[];
}

/**
 * INSERT of a batch of updates with the next seqs of a document, in one statement (so one commit,
 * one WAL flush): the head is the larger of the highest logged seq and the snapshot's `upto_seq`.
 */
const INSERT_BATCH = `
  INSERT INTO doc_updates (name, seq, data)
  SELECT $1, h.head + u.ord, u.data
  FROM unnest($2::bytea[]) WITH ORDINALITY AS u(data, ord),
       (SELECT greatest(
          coalesce((SELECT max(seq) FROM doc_updates WHERE name = $1), 0),
          coalesce((SELECT upto_seq FROM doc_snapshots WHERE name = $1), 0)) AS head) h
  RETURNING seq`;

/** Takes the per-document lock of the transaction: appends (and copies to the name) by any process serialise on it. */
const LOCK_DOCUMENT = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';

/**
 * DocumentStore on PostgreSQL. `append` resolves once the update is committed (fsync'd by the
 * server). Appends to one document are queued in this process and written in batches: while one
 * batch commits, the next ones gather, so many writers of a document share commits (group commit)
 * and seqs follow the order of the `append` calls. Several processes (nodes) appending to one
 * document take turns on a per-document advisory lock held until the batch commits, so the head
 * they read is never stale (STORE9). Loads read snapshot and log tail in one
 * statement (one MVCC snapshot), so a concurrent compaction can never hide updates from a load.
 */
export class PgDocumentStore implements DocumentStore {
  private readonly queues = new Map<string, AppendQueue>();

  constructor(private readonly pool: pg.Pool) {}

  async load(name: string): Promise<StoredDocument> {
    const { rows } = await this.pool.query<{ state: Buffer | null; upto_seq: number | null; seq: number | null; data: Buffer | null }>(
      `SELECT state, upto_seq, NULL::bigint AS seq, NULL::bytea AS data FROM doc_snapshots WHERE name = $1
       UNION ALL
       SELECT NULL, NULL, seq, data FROM doc_updates
         WHERE name = $1 AND seq > coalesce((SELECT upto_seq FROM doc_snapshots WHERE name = $1), 0)
       ORDER BY seq NULLS FIRST`,
      [name],
    );
    let snapshot: Uint8Array | null = null;
    let lastSeq = 0;
    const updates: Uint8Array[] = [];
    for (const r of rows) {
      if (r.seq === null) {
        snapshot = new Uint8Array(r.state!);
        lastSeq = r.upto_seq!;
      } else {
        updates.push(new Uint8Array(r.data!));
        lastSeq = r.seq;
      }
    }
    return { snapshot, updates, lastSeq };
  }

  append(name: string, update: Uint8Array): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const waiting = this.queues.get(name);
      const entry = { update: toBuffer(update), resolve, reject };
      if (waiting) {
        waiting.pending.push(entry);
        return;
      }
      const queue: AppendQueue = { pending: [entry] };
      this.queues.set(name, queue);
      void this.drain(name, queue);
    });
  }

  /** Writes the queue's batches one after the other until it is empty. */
  private async drain(name: string, queue: AppendQueue): Promise<void> {
    while (queue.pending.length > 0) {
      const batch = queue.pending.splice(0, MAX_APPEND_BATCH);
      try {
        const seqs = await this.insertBatch(name, batch.map((b) => b.update));
        batch.forEach((b, i) => b.resolve(seqs[i]!));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.queues.delete(name);
  }

  private async insertBatch(name: string, updates: Buffer[]): Promise<number[]> {
    // The lock comes in its own statement: the INSERT's snapshot is then taken after the previous holder committed.
    return inTransaction(this.pool, async (c) => {
      await c.query(LOCK_DOCUMENT, [name]);
      const { rows } = await c.query<{ seq: number }>(INSERT_BATCH, [name, updates]);
      return rows.map((r) => r.seq).sort((a, b) => a - b);
    });
  }

  async compact(name: string, state: Uint8Array, uptoSeq: number): Promise<void> {
    // Under the document's lock, so what is read (snapshot, trimmed updates) is what is replaced. The
    // stored snapshot and the trimmed updates are merged in: a node's state may lack an update another
    // node logged, and a compaction landing late never loses what a newer one stored (STORE8, STORE10).
    await inTransaction(this.pool, async (c) => {
      await c.query(LOCK_DOCUMENT, [name]);
      const { rows } = await c.query<{ state: Buffer | null; data: Buffer | null }>(
        `SELECT state, NULL::bytea AS data, 0::bigint AS seq FROM doc_snapshots WHERE name = $1
         UNION ALL
         SELECT NULL, data, seq FROM doc_updates WHERE name = $1 AND seq <= $2
         ORDER BY seq`,
        [name, uptoSeq],
      );
      const stored = rows.find((r) => r.state !== null)?.state ?? null;
      const trimmed = rows.filter((r) => r.data !== null).map((r) => r.data!);
      await c.query(
        `INSERT INTO doc_snapshots (name, state, upto_seq, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET state = excluded.state, upto_seq = greatest(doc_snapshots.upto_seq, excluded.upto_seq), updated_at = excluded.updated_at`,
        [name, toBuffer(mergeSnapshot(stored, trimmed, state)), uptoSeq, Date.now()],
      );
      await c.query('DELETE FROM doc_updates WHERE name = $1 AND seq <= $2', [name, uptoSeq]);
    });
  }

  async copy(from: string, to: string): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      // Serialises with other copies to the same name; the target check and the copy see one state.
      await c.query(LOCK_DOCUMENT, [to]);
      const { rows } = await c.query<{ n: number }>(
        'SELECT (SELECT count(*) FROM doc_snapshots WHERE name = $1) + (SELECT count(*) FROM doc_updates WHERE name = $1) AS n',
        [to],
      );
      if (rows[0]!.n > 0) throw new Error(`document ${to} already exists`);
      await c.query('INSERT INTO doc_snapshots (name, state, upto_seq, updated_at) SELECT $1, state, upto_seq, $2 FROM doc_snapshots WHERE name = $3', [to, Date.now(), from]);
      await c.query('INSERT INTO doc_updates (name, seq, data) SELECT $1, seq, data FROM doc_updates WHERE name = $2', [to, from]);
    });
  }

  async delete(name: string): Promise<void> {
    await this.pool.query('WITH s AS (DELETE FROM doc_snapshots WHERE name = $1) DELETE FROM doc_updates WHERE name = $1', [name]);
  }

  async list(prefix: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT name FROM (
         SELECT name FROM doc_snapshots WHERE left(name, length($1)) = $1
         UNION SELECT name FROM doc_updates WHERE left(name, length($1)) = $1
       ) n ORDER BY name COLLATE "C"`,
      [prefix],
    );
    return rows.map((r) => r.name);
  }
}
