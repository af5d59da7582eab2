import * as Y from 'yjs';
import type { Extension, onLoadDocumentPayload, onStoreDocumentPayload, afterUnloadDocumentPayload } from '@hocuspocus/server';
import { FAST_LATENCY_BUCKETS_SECONDS, defineCounter, defineHistogram, secondsSince, type Logger } from '@coderoom/shared';
import type { DocumentStore } from './DocumentStore.js';

/** Time of the durable-log append of one update (committed). */
const appendHistogram = defineHistogram({
  name: 'collab_durable_log_append_seconds',
  help: 'Time to append one update to the durable log (before it is acknowledged).',
  buckets: FAST_LATENCY_BUCKETS_SECONDS,
});
/** Snapshot compactions of the durable log. */
const compactionsCounter = defineCounter({ name: 'collab_compactions_total', help: 'Durable-log compactions into a snapshot.' });
/** Transaction origin of updates replayed from storage (never logged again). */
export const LOAD_ORIGIN = Symbol('coderoom:load');

/** Whether Hocuspocus has destroyed (unloaded) this document. */
export function isDestroyed(doc: Y.Doc): boolean {
  return (doc as Y.Doc & { isDestroyed?: boolean }).isDestroyed !== false;
}

/** Per loaded document: what the log holds beyond the last snapshot. */
interface LogState {
  doc: Y.Doc;
  /** Highest seq whose update is in the document (never ahead of what memory holds). */
  lastSeq: number;
  updatesSinceSnapshot: number;
  bytesSinceSnapshot: number;
  compactionScheduled: boolean;
  /** The last compaction started (they are chained). */
  compacting: Promise<void>;
  /** True while applying an update that is already in the log: the listener must not log it again. */
  applyingLogged: boolean;
  /** A background append failed: the document holds something the log lacks, until the next compaction. */
  logGap: boolean;
  /** The compaction closing a gap, which client appends wait for. */
  closingGap: Promise<void> | null;
  listener: (update: Uint8Array, origin: unknown) => void;
}

export interface DurableLogOptions {
  /** Compact after this many logged updates. */
  compactEveryUpdates: number;
  /** Compact after this many logged bytes. */
  compactEveryBytes: number;
}

/**
 * Hocuspocus extension that keeps every document's durable update log (SPEC DOC2, DOC4, WAL1-4).
 *
 * A client's update is written ahead: `WriteAheadQueue` hands it to `appendAhead()` before
 * Hocuspocus handles the message; once the store has committed it, `applyAhead()` applies it to
 * the Y.Doc, with the connection as transaction origin, which broadcasts it. Hocuspocus then applies the same bytes again (a no-op for Yjs) and sends `SyncStatus`: so
 * an acknowledged update, and any update another client has seen, is in the log.
 *
 * Updates the server makes itself (workspace merges, the file index) are logged from the Y.Doc
 * `update` event, in the background (WAL3). Compaction into a snapshot runs later, off that
 * path (DOC4).
 */
export class DurableLog implements Extension {
  readonly extensionName = 'DurableLog';
  /** Load before any other extension sees the document. */
  readonly priority = 1000;
  private readonly docs = new Map<string, LogState>();
  /** Appends not yet settled, per document name (also across unload and reload). */
  private readonly inflight = new Map<string, Set<Promise<unknown>>>();
  /** Transaction origins of updates another node has logged already (the Redis extension's). */
  private readonly loggedElsewhere = new Set<unknown>();
  private closed = false;

  constructor(
    private readonly store: DocumentStore,
    private readonly options: DurableLogOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Updates applied with `origin` are not logged here: they come from another node, which logged
   * them (a client's are written ahead there, a server's in the background). Without this every
   * node with the document loaded would write each update again (scale-out, docs/scaling.md).
   */
  skipOrigin(origin: unknown): void {
    this.loggedElsewhere.add(origin);
  }

  async onLoadDocument({ document, documentName }: onLoadDocumentPayload): Promise<void> {
    // An append of a previous incarnation still on its way would otherwise be missed by the load.
    await this.settle(documentName);
    const stored = await this.store.load(documentName);
    const bytes = this.replay(document, documentName, stored.snapshot, stored.updates);
    const state: LogState = {
      doc: document,
      lastSeq: stored.lastSeq,
      updatesSinceSnapshot: stored.updates.length,
      bytesSinceSnapshot: bytes,
      compactionScheduled: false,
      compacting: Promise.resolve(),
      applyingLogged: false,
      logGap: false,
      closingGap: null,
      listener: (update, origin) => {
        if (origin === LOAD_ORIGIN || state.applyingLogged || this.loggedElsewhere.has(origin)) return;
        this.logServerUpdate(documentName, state, update);
      },
    };
    document.on('update', state.listener);
    this.docs.set(documentName, state);
  }

  /** Applies snapshot and log to a fresh document; an update that cannot be applied is skipped (and logged). */
  private replay(document: Y.Doc, documentName: string, snapshot: Uint8Array | null, updates: Uint8Array[]): number {
    let bytes = 0;
    for (const u of updates) bytes += u.byteLength;
    try {
      Y.transact(
        document,
        () => {
          if (snapshot) Y.applyUpdate(document, snapshot, LOAD_ORIGIN);
          for (const u of updates) Y.applyUpdate(document, u, LOAD_ORIGIN);
        },
        LOAD_ORIGIN,
      );
    } catch (err) {
      // One by one, so a bad update cannot make the rest of the document unloadable (Yjs re-applies idempotently).
      this.logger.error({ err, documentName }, 'onLoadDocument() | replay failed, replaying update by update');
      for (const u of snapshot ? [snapshot, ...updates] : updates) {
        try {
          Y.applyUpdate(document, u, LOAD_ORIGIN);
        } catch (e) {
          this.logger.error({ err: e, documentName, bytes: u.byteLength }, 'onLoadDocument() | update skipped');
        }
      }
    }
    return bytes;
  }

  /**
   * WAL1, first half: starts appending a client's update to the log; resolves with its seq once
   * committed. Appends start in call order, so the log keeps each connection's order, and while
   * one commits the next ones gather into the store's next batch (group commit).
   */
  async appendAhead(document: Y.Doc, documentName: string, update: Uint8Array): Promise<number> {
    const state = this.docs.get(documentName);
    if (!state || state.doc !== document) throw Object.assign(new Error('document is not open for writing'), { reason: 'UNAVAILABLE: document is not open for writing' });
    if (state.logGap || state.closingGap) {
      // A failed background append left a gap: close it with a snapshot before logging anything newer (WAL4).
      state.closingGap ??= this.compact(documentName, state).finally(() => (state.closingGap = null));
      await state.closingGap;
    }
    const start = process.hrtime.bigint();
    const seq = await this.track(documentName, this.store.append(documentName, update));
    appendHistogram.observe(secondsSince(start));
    return seq;
  }

  /**
   * WAL1, second half: applies a client's update that is in the log at `seq` to the document,
   * with `origin` (the Hocuspocus connection) as transaction origin, which broadcasts it.
   */
  applyAhead(document: Y.Doc, documentName: string, update: Uint8Array, origin: object, seq: number): void {
    const state = this.docs.get(documentName);
    if (!state || state.doc !== document) return; // unloaded meanwhile: the next load replays it from the log
    state.applyingLogged = true;
    try {
      Y.applyUpdate(document, update, origin);
    } finally {
      state.applyingLogged = false;
    }
    this.logged(documentName, state, seq, update.byteLength);
  }

  /** Logs an update the server made (not a client's: those are written ahead). */
  private logServerUpdate(documentName: string, state: LogState, update: Uint8Array): void {
    const start = process.hrtime.bigint();
    this.track(documentName, this.store.append(documentName, update)).then(
      (seq) => {
        appendHistogram.observe(secondsSince(start));
        if (this.docs.get(documentName) === state) this.logged(documentName, state, seq, update.byteLength);
      },
      (err: unknown) => {
        this.logger.error({ err, documentName }, 'logServerUpdate() | append failed; a snapshot will cover it');
        if (this.docs.get(documentName) !== state) return;
        state.logGap = true;
        this.scheduleCompaction(documentName, state);
      },
    );
  }

  /** Records an update that is both in the log (at `seq`) and in the document. */
  private logged(documentName: string, state: LogState, seq: number, bytes: number): void {
    state.lastSeq = Math.max(state.lastSeq, seq);
    state.updatesSinceSnapshot += 1;
    state.bytesSinceSnapshot += bytes;
    if (state.updatesSinceSnapshot >= this.options.compactEveryUpdates || state.bytesSinceSnapshot >= this.options.compactEveryBytes) {
      this.scheduleCompaction(documentName, state);
    }
  }

  /** Remembers an append (or compaction) until it settles, so loads, renames, deletes and shutdown can wait for it. */
  private track<T>(documentName: string, p: Promise<T>): Promise<T> {
    let set = this.inflight.get(documentName);
    if (!set) this.inflight.set(documentName, (set = new Set()));
    const entry = p.finally(() => {
      set.delete(entry);
      if (set.size === 0 && this.inflight.get(documentName) === set) this.inflight.delete(documentName);
    });
    set.add(entry);
    return entry;
  }

  /** Resolves when every append and compaction of `documentName` started so far has settled (WAL3). */
  async settle(documentName: string): Promise<void> {
    const set = this.inflight.get(documentName);
    if (set) await Promise.allSettled([...set]);
  }

  async onStoreDocument({ documentName, document }: onStoreDocumentPayload): Promise<void> {
    // Hocuspocus calls this debounced after changes and when the last connection leaves.
    // The log already holds every update; compact only when about to unload or past a threshold.
    const state = this.docs.get(documentName);
    if (!state || (state.updatesSinceSnapshot === 0 && !state.logGap)) return;
    if (document.getConnectionsCount() === 0) await this.compact(documentName, state);
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    // A client may have brought the document back meanwhile: only the unloaded incarnation goes.
    const state = this.docs.get(documentName);
    if (state && isDestroyed(state.doc)) this.detach(documentName);
  }

  /** Stops logging a document (it is being deleted or renamed); its in-memory state is dropped. */
  detach(documentName: string): void {
    const state = this.docs.get(documentName);
    if (!state) return;
    state.doc.off('update', state.listener);
    this.docs.delete(documentName);
  }

  /** Number of loaded documents being logged. */
  get loadedCount(): number {
    return this.docs.size;
  }

  /** Compacts every loaded document that has logged updates (used at shutdown). */
  async compactAll(): Promise<void> {
    for (const [name, state] of [...this.docs]) {
      if (state.updatesSinceSnapshot > 0 || state.logGap) await this.compact(name, state);
    }
  }

  /** Waits for appends in flight, compacts, and stops all logging; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.allSettled([...this.inflight.values()].flatMap((set) => [...set]));
    await this.compactAll();
    this.closed = true;
    for (const name of [...this.docs.keys()]) this.detach(name);
  }

  private scheduleCompaction(name: string, state: LogState): void {
    if (state.compactionScheduled) return;
    state.compactionScheduled = true;
    setImmediate(() => {
      state.compactionScheduled = false;
      if (this.docs.get(name) !== state) return;
      this.compact(name, state).catch((err: unknown) => this.logger.error({ err, documentName: name }, 'compact() | failed'));
    });
  }

  /** Compactions of one document run one at a time, in order (a newer snapshot is never overwritten by an older one). */
  private compact(name: string, state: LogState): Promise<void> {
    const run = state.compacting.catch(() => undefined).then(() => this.compactNow(name, state));
    state.compacting = run;
    // Tracked like appends: a rename or delete waits for it, so it cannot land after the delete.
    return this.track(name, run);
  }

  private async compactNow(name: string, state: LogState): Promise<void> {
    // Encoding and the seq are read in the same tick: the snapshot covers exactly the log up to
    // uptoSeq (and possibly more: updates whose append is still in flight land above it).
    const uptoSeq = state.lastSeq;
    const snapshot = Y.encodeStateAsUpdate(state.doc);
    const updates = state.updatesSinceSnapshot;
    const bytes = state.bytesSinceSnapshot;
    const gap = state.logGap;
    state.updatesSinceSnapshot = 0;
    state.bytesSinceSnapshot = 0;
    state.logGap = false;
    try {
      await this.store.compact(name, snapshot, uptoSeq);
    } catch (err) {
      state.updatesSinceSnapshot += updates;
      state.bytesSinceSnapshot += bytes;
      state.logGap ||= gap;
      throw err;
    }
    compactionsCounter.inc();
    this.logger.debug({ documentName: name, uptoSeq, updates, snapshotBytes: snapshot.byteLength }, 'compact() | done');
  }
}
