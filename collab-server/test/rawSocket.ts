import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { onTestFinished } from 'vitest';

export { prng } from '../../shared/test/prng.js';

/** Hocuspocus wire message types (what a raw test client needs). */
export const MSG = { Sync: 0, Awareness: 1, Auth: 2, SyncStatus: 8 } as const;

/** An Auth(Token) frame for `doc`. */
export function authFrame(doc: string, token: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  encoding.writeVarUint(e, MSG.Auth);
  encoding.writeVarUint(e, 0);
  encoding.writeVarString(e, token);
  return encoding.toUint8Array(e);
}

/** A Sync/Update frame carrying `update` for `doc`. */
export function updateFrame(doc: string, update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  encoding.writeVarUint(e, MSG.Sync);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** A raw WebSocket to /collab that records frames and its close. */
export interface RawSocket {
  ws: WebSocket;
  frames: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
}

export async function rawSocket(wsUrl: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const ws = new WebSocket(wsUrl, { headers });
  ws.on('error', () => undefined); // failures surface through the open promise below
  onTestFinished(() => ws.terminate());
  const frames: Uint8Array[] = [];
  ws.on('message', (d: Buffer) => frames.push(new Uint8Array(d)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames, closed };
}

/** Whether a frame is Auth(Authenticated) for `doc`. */
export function isAuthenticated(frame: Uint8Array, doc: string): boolean {
  try {
    const d = decoding.createDecoder(frame);
    return decoding.readVarString(d) === doc && decoding.readVarUint(d) === MSG.Auth && decoding.readVarUint(d) === 2;
  } catch {
    return false;
  }
}
