import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { MessageType, type Extension, type beforeHandleMessagePayload } from '@hocuspocus/server';
import { messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';
import type WebSocket from 'ws';
import { ERRORS, type Logger } from '@coderoom/shared';
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
 * messages of each connection: a message's hook finishes only after the previous message's
 * hook finished, so hooks finish, and Hocuspocus handles messages, in arrival order. For a sync
 * update (SyncStep2 or Update) on a writable connection, the hook writes the update ahead: the
 * append to the log starts on arrival (`DurableLog.appendAhead`, so a burst shares commits), and
 * in the message's turn, once committed, `DurableLog.applyAhead` applies it. Read-only
 * connections (viewers, `meta` documents) are left to Hocuspocus, which refuses their updates:
 * nothing of theirs is ever logged. An update that cannot be stored fails its message and
 * closes the socket (4503), so nothing after it on that connection is applied either. Its priority is the lowest of ours, so the other
 * extensions' hooks (metrics) see a message before its update is applied.
 */
export class WriteAheadQueue implements Extension {
  readonly extensionName = 'WriteAheadQueue';
  readonly priority = 10;
  /** The tail of each connection's chain of messages. */
  private readonly tails = new WeakMap<object, Promise<void>>();
  /** Messages of each socket not yet through the chain. */
  private readonly waiting = new WeakMap<WebSocket, number>();
  /** Connections with an update that could not be stored: nothing more of theirs is handled. */
  private readonly failed = new WeakSet<object>();

  constructor(
    private readonly log: DurableLog,
    private readonly logger: Logger,
  ) {}

  async beforeHandleMessage({ connection, document, documentName, update: message }: beforeHandleMessagePayload): Promise<void> {
    const previous = this.tails.get(connection) ?? Promise.resolve();
    const ws = connection.webSocket;
    this.count(ws, +1);
    // Read-only connections are left to Hocuspocus, which refuses their updates (AUTH2).
    const update = connection.readOnly ? null : syncUpdateOf(message);
    // The append starts now, in arrival order; the update is applied in turn, once committed.
    const append = update && isLoggable(update) ? this.log.appendAhead(document, documentName, update) : null;
    append?.catch(() => undefined); // awaited below, in turn; not an unhandled rejection meanwhile
    const mine = previous.then(async () => {
      if (this.failed.has(connection)) throw new Error('an earlier update of this connection was not stored');
      if (!append || !update) return;
      const seq = await append;
      this.log.applyAhead(document, documentName, update, connection, seq);
    });
    // The chain continues after a failure too (the failed message closes its connection).
    const tail = mine.catch(() => undefined);
    this.tails.set(connection, tail);
    try {
      await mine;
    } catch (err) {
      // WAL4: nothing of this message was applied or acknowledged. Closing the socket makes the
      // client reconnect and send again, in its SyncStep2, everything the server lacks.
      if (!this.failed.has(connection)) {
        this.failed.add(connection);
        this.logger.warn({ err, documentName }, 'beforeHandleMessage() | update not stored, closing the socket');
        ws.close(ERRORS.UNAVAILABLE.closeCode, 'UNAVAILABLE: the update could not be stored');
      }
      throw err;
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
