import type BetterSqlite3 from 'better-sqlite3';
import { mergeSnapshot, type DocumentStore, type StoredDocument } from './DocumentStore.js';

/**
 * DocumentStore on SQLite (WAL). Appends made in one event-loop turn are committed together in
 * one transaction at the end of that turn (group commit: one fsync for many writers); each
 * `append` resolves once its transaction has committed.
 */
export class SqliteDocumentStore implements DocumentStore {
  private readonly stmts;
  /** Appends waiting for this turn's commit. */
  private pending: { name: string; update: Uint8Array; resolve: (seq: number) => void; reject: (err: unknown) => void }[] = [];

  constructor(private readonly db: BetterSqlite3.Database) {
    this.stmts = {
      snapshot: db.prepare<[string], { state: Buffer; upto_seq: number }>('SELECT state, upto_seq FROM doc_snapshots WHERE name = ?'),
      updates: db.prepare<[string, number], { seq: number; data: Buffer }>('SELECT seq, data FROM doc_updates WHERE name = ? AND seq > ? ORDER BY seq'),
      maxSeq: db.prepare<[string], { s: number | null }>('SELECT max(seq) AS s FROM doc_updates WHERE name = ?'),
      insertUpdate: db.prepare('INSERT INTO doc_updates (name, seq, data) VALUES (?, ?, ?)'),
      upsertSnapshot: db.prepare(
        'INSERT INTO doc_snapshots (name, state, upto_seq, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET state = excluded.state, upto_seq = max(doc_snapshots.upto_seq, excluded.upto_seq), updated_at = excluded.updated_at',
      ),
      trimmed: db.prepare<[string, number], { data: Buffer }>('SELECT data FROM doc_updates WHERE name = ? AND seq <= ? ORDER BY seq'),
      dropUpdates: db.prepare('DELETE FROM doc_updates WHERE name = ? AND seq <= ?'),
      deleteSnapshot: db.prepare('DELETE FROM doc_snapshots WHERE name = ?'),
      deleteUpdates: db.prepare('DELETE FROM doc_updates WHERE name = ?'),
      copySnapshot: db.prepare('INSERT INTO doc_snapshots (name, state, upto_seq, updated_at) SELECT ?, state, upto_seq, ? FROM doc_snapshots WHERE name = ?'),
      copyUpdates: db.prepare('INSERT INTO doc_updates (name, seq, data) SELECT ?, seq, data FROM doc_updates WHERE name = ?'),
      exists: db.prepare<[string, string], { n: number }>(
        'SELECT (SELECT count(*) FROM doc_snapshots WHERE name = ?) + (SELECT count(*) FROM doc_updates WHERE name = ?) AS n',
      ),
      list: db.prepare<[{ p: string }], { name: string }>(
        'SELECT name FROM doc_snapshots WHERE substr(name, 1, length(@p)) = @p UNION SELECT name FROM doc_updates WHERE substr(name, 1, length(@p)) = @p ORDER BY name',
      ),
    };
  }

  private lastSeq(name: string): number {
    const snap = this.stmts.snapshot.get(name);
    const max = this.stmts.maxSeq.get(name)?.s ?? 0;
    return Math.max(max, snap?.upto_seq ?? 0);
  }

  async load(name: string): Promise<StoredDocument> {
    return this.db.transaction((): StoredDocument => {
      const snap = this.stmts.snapshot.get(name);
      const uptoSeq = snap?.upto_seq ?? 0;
      const rows = this.stmts.updates.all(name, uptoSeq);
      const lastSeq = rows.length > 0 ? rows[rows.length - 1]!.seq : uptoSeq;
      return { snapshot: snap ? new Uint8Array(snap.state) : null, updates: rows.map((r) => new Uint8Array(r.data)), lastSeq };
    })();
  }

  append(name: string, update: Uint8Array): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ name, update, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  /** Group commit: every append of one event-loop turn goes into one transaction (one WAL fsync). */
  private commitPending(): void {
    const batch = this.pending.splice(0);
    let seqs: number[];
    try {
      seqs = this.db
        .transaction(() =>
          batch.map((b) => {
            const seq = this.lastSeq(b.name) + 1;
            this.stmts.insertUpdate.run(b.name, seq, b.update);
            return seq;
          }),
        )
        .immediate();
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    batch.forEach((b, i) => b.resolve(seqs[i]!));
  }

  async compact(name: string, state: Uint8Array, uptoSeq: number): Promise<void> {
    this.db.transaction(() => {
      const stored = this.stmts.snapshot.get(name)?.state ?? null;
      const trimmed = this.stmts.trimmed.all(name, uptoSeq).map((r) => r.data);
      this.stmts.upsertSnapshot.run(name, mergeSnapshot(stored, trimmed, state), uptoSeq, Date.now());
      this.stmts.dropUpdates.run(name, uptoSeq);
    }).immediate();
  }

  async copy(from: string, to: string): Promise<void> {
    this.db.transaction(() => {
      if (this.stmts.exists.get(to, to)!.n > 0) throw new Error(`document ${to} already exists`);
      this.stmts.copySnapshot.run(to, Date.now(), from);
      this.stmts.copyUpdates.run(to, from);
    }).immediate();
  }

  async delete(name: string): Promise<void> {
    this.db.transaction(() => {
      this.stmts.deleteSnapshot.run(name);
      this.stmts.deleteUpdates.run(name);
    }).immediate();
  }

  async list(prefix: string): Promise<string[]> {
    return this.stmts.list.all({ p: prefix }).map((r) => r.name);
  }
}
