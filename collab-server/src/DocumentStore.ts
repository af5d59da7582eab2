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
   * Replaces the snapshot with `state` covering every update up to `uptoSeq`, and drops those
   * updates from the log. Updates appended after `uptoSeq` stay.
   */
  compact(name: string, state: Uint8Array, uptoSeq: number): Promise<void>;
  /** Copies a document's snapshot and log under a new name (the target must be empty). */
  copy(from: string, to: string): Promise<void>;
  /** Deletes a document's snapshot and log. */
  delete(name: string): Promise<void>;
  /** Names of stored documents starting with `prefix`. */
  list(prefix: string): Promise<string[]>;
}
