import * as Y from 'yjs';

/** What a document's durable storage holds: the last snapshot and the updates logged after it. */
export interface StoredDocument {
  /** Compacted state (a Yjs update), or null when never compacted. */
  snapshot: Uint8Array | null;
  /** Updates appended after the snapshot, in append order. */
  updates: Uint8Array[];
  /** Sequence number of the last update (0 when none was ever logged). */
  lastSeq: number;
}

/**
 * Durable storage of Yjs documents: an append-only update log plus compacted snapshots.
 * Every implementation passes `test/DocumentStore.contract.ts`.
 *
 * `append` is the hot path: the update must be durable when its promise resolves. The durable
 * log awaits it before a client's update is applied or acknowledged (SPEC.md DOC2, WAL1).
 */
export interface DocumentStore {
  /** Loads a document; an unknown name loads as empty. */
  load(name: string): Promise<StoredDocument>;
  /** Appends one update and returns its sequence number (strictly increasing per document). */
  append(name: string, update: Uint8Array): Promise<number>;
  /**
   * Replaces the snapshot with one covering every update up to `uptoSeq`, and drops those
   * updates from the log. Updates appended after `uptoSeq` stay. The new snapshot is `state`
   * merged with the stored snapshot and the dropped updates, so an update that `state` lacks
   * (another node logged it and it has not reached this node yet) is never lost.
   */
  compact(name: string, state: Uint8Array, uptoSeq: number): Promise<void>;
  /** Copies a document's snapshot and log under a new name (the target must be empty). */
  copy(from: string, to: string): Promise<void>;
  /** Deletes a document's snapshot and log. */
  delete(name: string): Promise<void>;
  /** Names of stored documents starting with `prefix`. */
  list(prefix: string): Promise<string[]>;
}

/** The snapshot a compaction stores: `state` merged with what it replaces (the old snapshot and the trimmed updates). */
export function mergeSnapshot(stored: Uint8Array | null, trimmed: Uint8Array[], state: Uint8Array): Uint8Array {
  const parts = stored ? [stored, ...trimmed, state] : [...trimmed, state];
  return parts.length === 1 ? state : Y.mergeUpdates(parts);
}
