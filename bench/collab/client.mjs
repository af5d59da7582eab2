// One benchmark connection speaking the Yjs sync protocol over a raw WebSocket, in one of two
// framings: `hocuspocus` (CodeRoom and stock Hocuspocus: every message starts with the document
// name; a token must be sent first) and `ywebsocket` (the reference server: one document per
// socket, named by the URL path).
//
// Roles keep the load generator cheap while the server does its full work:
// - `observer`: a full Y.Doc that applies every update (edit-to-remote-apply latency is taken here);
// - `sender`: a private Y.Doc that only produces edits (inserts at the start, so they need no sync);
// - `idle`: syncs once, then only receives.
// Every edit carries its send time: `[<ms since epoch, 3 decimals>]`, read back by observers.
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';

/** Hocuspocus message types (MessageType in @hocuspocus/server 3.4.4). */
const MSG_SYNC = 0;
const MSG_AUTH = 2;
/** Hocuspocus auth sub-types. */
const AUTH_TOKEN = 0;
const AUTH_PERMISSION_DENIED = 1;
const AUTH_AUTHENTICATED = 2;
/** y-protocols sync sub-types. */
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;
/** The text CodeRoom's clients edit (FILE_TEXT_NAME); the peers do not care. */
export const TEXT_NAME = 'content';
const STAMP_RE = /\[(\d+\.\d{3})\]/g;

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const nowMs = () => performance.timeOrigin + performance.now();

export class BenchClient {
  /**
   * @param {{ flavor: 'hocuspocus' | 'ywebsocket', url: string, doc: string, token?: string, role: 'observer' | 'sender' | 'idle',
   *   localAddress?: string, origin?: string, onStamp?: (latencyMs: number) => void }} o
   */
  constructor(o) {
    this.o = o;
    this.ydoc = o.role === 'idle' ? null : new Y.Doc();
    this.text = this.ydoc?.getText(TEXT_NAME) ?? null;
    this.pendingUpdate = null;
    this.bytesIn = 0;
    this.updatesIn = 0;
    this.ws = null;
    if (o.role === 'sender') this.ydoc.on('update', (u) => (this.pendingUpdate = u));
    if (o.role === 'observer') {
      this.text.observe((e) => {
        if (!this.o.onStamp) return;
        const t = nowMs();
        for (const op of e.delta) {
          if (typeof op.insert !== 'string') continue;
          for (const m of op.insert.matchAll(STAMP_RE)) this.o.onStamp(t - Number(m[1]));
        }
      });
    }
  }

  /** Writes the framing prefix (document name for Hocuspocus) and the message type. */
  header(type) {
    const enc = encoding.createEncoder();
    if (this.o.flavor === 'hocuspocus') encoding.writeVarString(enc, this.o.doc);
    encoding.writeVarUint(enc, type);
    return enc;
  }

  send(enc) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encoding.toUint8Array(enc));
  }

  /** Opens the socket, authenticates (Hocuspocus) and resolves once the server's state (sync step 2) has arrived. */
  connect(timeoutMs = 60_000) {
    const o = this.o;
    const url = o.flavor === 'ywebsocket' ? `${o.url}/${encodeURIComponent(o.doc)}` : o.url;
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: o.localAddress, headers: o.origin ? { origin: o.origin } : {} });
    ws.binaryType = 'nodebuffer';
    this.ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${o.doc}: not synced after ${timeoutMs} ms`)), timeoutMs);
      const done = (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const sendStep1 = () => {
        const enc = this.header(MSG_SYNC);
        syncProtocol.writeSyncStep1(enc, this.ydoc ?? new Y.Doc());
        this.send(enc);
      };
      ws.once('error', done);
      ws.once('close', (code, reason) => done(new Error(`closed ${code} ${reason}`)));
      ws.once('open', () => {
        if (o.flavor === 'hocuspocus') {
          const enc = this.header(MSG_AUTH);
          encoding.writeVarUint(enc, AUTH_TOKEN);
          encoding.writeVarString(enc, o.token ?? 'bench');
          this.send(enc);
        } else sendStep1();
      });
      // Bytes before the message type: the document name (Hocuspocus), so light clients can read
      // the type and sync sub-type at fixed offsets without decoding the name of every broadcast.
      const prefixBytes = encoding.length(this.header(MSG_SYNC)) - 1;
      let synced = false;
      ws.on('message', (data) => {
        this.bytesIn += data.length;
        if (synced && o.role !== 'observer') {
          if (data[prefixBytes] === MSG_SYNC && data[prefixBytes + 1] === SYNC_UPDATE) this.updatesIn++;
          return;
        }
        const dec = decoding.createDecoder(data);
        if (o.flavor === 'hocuspocus') decoding.readVarString(dec);
        const type = decoding.readVarUint(dec);
        if (type === MSG_AUTH && o.flavor === 'hocuspocus') {
          const sub = decoding.readVarUint(dec);
          if (sub === AUTH_AUTHENTICATED) sendStep1();
          else if (sub === AUTH_PERMISSION_DENIED) done(new Error(`permission denied: ${decoding.readVarString(dec)}`));
          return;
        }
        if (type !== MSG_SYNC) return;
        if (this.ydoc && o.role === 'observer') {
          const reply = this.header(MSG_SYNC);
          const before = encoding.length(reply);
          const sub = syncProtocol.readSyncMessage(dec, reply, this.ydoc, 'remote');
          if (encoding.length(reply) > before) this.send(reply);
          if (sub === SYNC_STEP2) done();
          if (sub === SYNC_UPDATE) this.updatesIn++;
          return;
        }
        const sub = decoding.readVarUint(dec);
        if (sub === SYNC_STEP2) {
          synced = true;
          done();
        } else if (sub === SYNC_UPDATE) this.updatesIn++;
      });
    });
  }

  /** A sender's edit: inserts a time stamp (and `padding` characters) at the start of its private text. */
  sendEdit(padding = '') {
    this.text.insert(0, `[${nowMs().toFixed(3)}]${padding}`);
    const enc = this.header(MSG_SYNC);
    syncProtocol.writeUpdate(enc, this.pendingUpdate);
    this.send(enc);
  }

  /** Sends one large insert (for the large-document workload). */
  sendText(s) {
    this.text.insert(this.text.length, s);
    const enc = this.header(MSG_SYNC);
    syncProtocol.writeUpdate(enc, this.pendingUpdate);
    this.send(enc);
  }

  close() {
    this.ws?.terminate();
  }
}
