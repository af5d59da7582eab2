import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { MessageType, type Extension, type beforeHandleMessagePayload } from '@hocuspocus/server';
import { messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';
import type WebSocket from 'ws';
import type { DurableLog } from './DurableLog.js';

/** Pause reading a socket while this many of its messages wait for the log... */
export const WRITE_AHEAD_PAUSE_MESSAGES = 256;
/** ...and resume once no more than this many wait. */
export const WRITE_AHEAD_RESUME_MESSAGES = 64;

/** A Yjs update carried by a Hocuspocus sync message, or null for any other message. */
export function syncUpdateOf(message: Uint8Array): Uint8Array | null {
  try {
    const decoder = decoding.createDecoder(message);
    decoding.readVarString(decoder); // document name
    const type = decoding.readVarUint(decoder);
    if (type !== MessageType.Sync && type !== MessageType.SyncReply) return null;
    const syncType = decoding.readVarUint(decoder);
    if (syncType !== messageYjsSyncStep2 && syncType !== messageYjsUpdate) return null;
    return decoding.readVarUint8Array(decoder);
  } catch {
    return null; // undecodable: Hocuspocus refuses it itself
  }
}

/** Whether `update` is a well-formed Yjs update that changes something (an empty one is 2 zero bytes). */
function isLoggable(update: Uint8Array): boolean {
  if (update.byteLength === 2 && update[0] === 0 && update[1] === 0) return false;
  try {
    Y.decodeUpdate(update);
    return true;
  } catch {
    return false;
  }
}

/**
 * Hocuspocus extension that puts the durable log in front of message handling (SPEC WAL1-WAL4).
 *
 * In Hocuspocus 3.4.4, `Connection.handleMessage` runs the `beforeHandleMessage` hooks and only
 * when they resolve applies the message (`MessageReceiver`), which for a sync update applies it
 * and sends `SyncStatus`. Each message runs its own hook chain, so without care a later message
 * could overtake an earlier one whose hook takes longer. This extension therefore chains the
 * messages of each connection: a message's hook starts its work only after the previous
 * message's hook finished, and hooks finish in arrival order, so Hocuspocus handles them in
 * arrival order. For a sync update (SyncStep2 or Update) on a writable connection, the hook
 * writes the update ahead: `DurableLog.writeAhead` appends it (awaited) and then applies it.
 * Read-only connections (viewers, `meta` documents) are left to Hocuspocus, which refuses their
 * updates: nothing of theirs is ever logged. Its priority is the lowest of ours, so the other
 * extensions' hooks (metrics) see a message before its update is applied.
 */
export class WriteAheadQueue implements Extension {
  readonly extensionName = 'WriteAheadQueue';
  readonly priority = 10;
  /** The tail of each connection's chain of messages. */
  private readonly tails = new WeakMap<object, Promise<void>>();
  /** Messages of each socket not yet through the chain. */
  private readonly waiting = new WeakMap<WebSocket, number>();

  constructor(private readonly log: DurableLog) {}

  async beforeHandleMessage({ connection, document, documentName, update: message }: beforeHandleMessagePayload): Promise<void> {
    const previous = this.tails.get(connection) ?? Promise.resolve();
    const ws = connection.webSocket;
    this.count(ws, +1);
    const mine = previous.then(async () => {
      // Checked at this message's turn: the connection's rights as of now, not as of arrival.
      if (connection.readOnly) return;
      const update = syncUpdateOf(message);
      if (!update || !isLoggable(update)) return;
      await this.log.writeAhead(document, documentName, update, connection);
    });
    // The chain continues after a failure too (the failed message closes its connection).
    const tail = mine.catch(() => undefined);
    this.tails.set(connection, tail);
    try {
      await mine;
    } finally {
      this.count(ws, -1);
      if (this.tails.get(connection) === tail) this.tails.delete(connection);
    }
  }

  /** Backpressure: a socket whose messages pile up behind the log stops being read for a while. */
  private count(ws: WebSocket, delta: number): void {
    const n = (this.waiting.get(ws) ?? 0) + delta;
    if (n <= 0) this.waiting.delete(ws);
    else this.waiting.set(ws, n);
    if (delta > 0 && n === WRITE_AHEAD_PAUSE_MESSAGES) ws.pause();
    if (delta < 0 && n === WRITE_AHEAD_RESUME_MESSAGES && ws.isPaused) ws.resume();
  }
}
