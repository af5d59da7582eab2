import * as Y from 'yjs';
import type { Extension, onLoadDocumentPayload, onStoreDocumentPayload, afterUnloadDocumentPayload } from '@hocuspocus/server';
import { FAST_LATENCY_BUCKETS_SECONDS, defineCounter, defineHistogram, secondsSince, type Logger } from '@coderoom/shared';
import type { DocumentStore } from './DocumentStore.js';

/** Time of the synchronous durable-log append of one update. */
const appendHistogram = defineHistogram({
  name: 'collab_durable_log_append_seconds',
  help: 'Time to append one update to the durable log (before it is acknowledged).',
  buckets: FAST_LATENCY_BUCKETS_SECONDS,
});
/** Snapshot compactions of the durable log. */
const compactionsCounter = defineCounter({ name: 'collab_compactions_total', help: 'Durable-log compactions into a snapshot.' });
/** Transaction origin of updates replayed from storage (never logged again). */
export const LOAD_ORIGIN = Symbol('coderoom:load');

/** Per loaded document: what the log holds beyond the last snapshot. */
interface LogState {
  doc: Y.Doc;
  lastSeq: number;
  updatesSinceSnapshot: number;
  bytesSinceSnapshot: number;
  compactionScheduled: boolean;
  listener: (update: Uint8Array, origin: unknown) => void;
}

export interface DurableLogOptions {
  /** Compact after this many logged updates. */
  compactEveryUpdates: number;
  /** Compact after this many logged bytes. */
  compactEveryBytes: number;
}

/**
 * Hocuspocus extension that makes every accepted update durable before it is acknowledged.
 *
 * Hocuspocus 3.4 applies an incoming update (firing the Y.Doc's `update` event synchronously)
 * and only then sends the `SyncStatus` acknowledgement. The listener registered here appends
 * the update to the store synchronously inside that event, so by the time the client's
 * `unsyncedChanges` reaches 0 the update is on disk (SPEC DOC2). Compaction into a snapshot
 * runs later, off that path (DOC4).
 */
export class DurableLog implements Extension {
  readonly extensionName = 'DurableLog';
  /** Load before any other extension sees the document. */
  readonly priority = 1000;
  private readonly docs = new Map<string, LogState>();
  private closed = false;

  constructor(
    private readonly store: DocumentStore,
    private readonly options: DurableLogOptions,
    private readonly logger: Logger,
  ) {}

  async onLoadDocument({ document, documentName }: onLoadDocumentPayload): Promise<void> {
    const stored = await this.store.load(documentName);
    let bytes = 0;
    Y.transact(
      document,
      () => {
        if (stored.snapshot) Y.applyUpdate(document, stored.snapshot, LOAD_ORIGIN);
        for (const u of stored.updates) {
          Y.applyUpdate(document, u, LOAD_ORIGIN);
          bytes += u.byteLength;
        }
      },
      LOAD_ORIGIN,
    );
    const state: LogState = {
      doc: document,
      lastSeq: stored.lastSeq,
      updatesSinceSnapshot: stored.updates.length,
      bytesSinceSnapshot: bytes,
      compactionScheduled: false,
      listener: (update, origin) => {
        if (origin === LOAD_ORIGIN) return;
        // Synchronous and before the acknowledgement: a throw here fails the message, so the
        // client is never told an update it sent was accepted when it was not stored.
        const start = process.hrtime.bigint();
        state.lastSeq = this.store.append(documentName, update);
        appendHistogram.observe(secondsSince(start));
        state.updatesSinceSnapshot += 1;
        state.bytesSinceSnapshot += update.byteLength;
        if (state.updatesSinceSnapshot >= this.options.compactEveryUpdates || state.bytesSinceSnapshot >= this.options.compactEveryBytes) {
          this.scheduleCompaction(documentName, state);
        }
      },
    };
    document.on('update', state.listener);
    this.docs.set(documentName, state);
  }

  async onStoreDocument({ documentName, document }: onStoreDocumentPayload): Promise<void> {
    // Hocuspocus calls this debounced after changes and when the last connection leaves.
    // The log already holds every update; compact only when about to unload or past a threshold.
    const state = this.docs.get(documentName);
    if (!state || state.updatesSinceSnapshot === 0) return;
    if (document.getConnectionsCount() === 0) await this.compact(documentName, state);
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.detach(documentName);
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
      if (state.updatesSinceSnapshot > 0) await this.compact(name, state);
    }
  }

  /** Stops all logging; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
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

  private async compact(name: string, state: LogState): Promise<void> {
    // Encoding and the seq are read in the same tick: the snapshot covers exactly the log up to uptoSeq.
    const uptoSeq = state.lastSeq;
    const snapshot = Y.encodeStateAsUpdate(state.doc);
    const updates = state.updatesSinceSnapshot;
    const bytes = state.bytesSinceSnapshot;
    state.updatesSinceSnapshot = 0;
    state.bytesSinceSnapshot = 0;
    try {
      await this.store.compact(name, snapshot, uptoSeq);
    } catch (err) {
      state.updatesSinceSnapshot += updates;
      state.bytesSinceSnapshot += bytes;
      throw err;
    }
    compactionsCounter.inc();
    this.logger.debug({ documentName: name, uptoSeq, updates, snapshotBytes: snapshot.byteLength }, 'compact() | done');
  }
}
