import {
  errorCodeForClose,
  PTY_CLOSE_REASONS,
  PTY_PROTOCOL_VERSION,
  PtyServerMessageSchema,
  type PtyClientMessage,
  type PtyServerMessage,
  type Role,
  type TerminalInfo,
} from '@coderoom/shared/client';
import { parseServerMessage } from '../parseServerMessage';
import { Store } from '../Store';
import { i18next } from '../i18n';
import type { TokenKeeper } from '../TokenKeeper';
import { reconnectDelayMs } from './reconnectDelay';
import { TerminalStream, type TerminalSink } from './TerminalStream';

/** The state of the `/pty` socket, as the panel shows it. */
export type PtyLink =
  /** First connection (or a reconnect attempt in progress). */
  | { state: 'connecting' }
  /** Welcomed: terminals are live. */
  | { state: 'connected' }
  /** Lost; the next attempt is at `retryAt` (ms since the epoch). */
  | { state: 'reconnecting'; attempt: number; retryAt: number; reason: string }
  /** Closed for a reason a retry cannot fix (the page must be reloaded or the room rejoined). */
  | { state: 'failed'; reason: string };

/** Who the server says we are. */
export interface PtyYou {
  sub: string;
  name: string;
  role: Role;
}

/** A short message shown over the panel. */
export interface Toast {
  id: number;
  message: string;
}

/** How long a toast stays up, in ms. */
export const TOAST_MS = 6000;
/** Most toasts shown at once (older ones are dropped). */
const MAX_TOASTS = 3;
/** Consecutive UNAUTHORIZED closes (each after a token refresh) before we give up. */
const MAX_AUTH_FAILURES = 3;

/** The room rides in the query so a load balancer can keep a room's sockets on one server (infra/README.md); the server ignores it. */
function ptyUrl(roomId: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/pty?room=${encodeURIComponent(roomId)}`;
}

/** What a close code and reason mean to a person; `fatal` when retrying cannot help. */
function describeClose(ev: CloseEvent): { reason: string; fatal: boolean; auth: boolean } {
  const code = errorCodeForClose(ev.code);
  switch (code) {
    case 'PROTOCOL_MISMATCH':
      return { reason: i18next.t('terminal:close.protocol'), fatal: true, auth: false };
    case 'BAD_REQUEST':
      return { reason: i18next.t('terminal:close.badHello', { reason: ev.reason || PTY_CLOSE_REASONS.BAD_HELLO }), fatal: true, auth: false };
    case 'FORBIDDEN':
      return { reason: ev.reason === PTY_CLOSE_REASONS.WRONG_ROOM ? i18next.t('terminal:close.wrongRoom') : i18next.t('terminal:close.forbidden'), fatal: true, auth: false };
    case 'UNAUTHORIZED':
      return { reason: ev.reason === PTY_CLOSE_REASONS.TOKEN_EXPIRED ? i18next.t('terminal:close.expired') : i18next.t('terminal:close.unauthorized'), fatal: false, auth: true };
    case 'UNAVAILABLE':
      return { reason: i18next.t('terminal:close.restarting'), fatal: false, auth: false };
    case 'RATE_LIMITED':
      return { reason: i18next.t('terminal:close.rateLimited'), fatal: false, auth: false };
    default:
      return { reason: ev.code === 1009 ? i18next.t('terminal:close.tooLarge') : i18next.t('terminal:close.lost'), fatal: false, auth: false };
  }
}

/**
 * The room's `/pty` socket: hello → welcome, the list of terminals, the streams of the terminals
 * this tab shows, control requests, and errors as toasts. Reconnects with back-off and jitter
 * and resumes every open stream from its last sequence number. `close()` is idempotent.
 */
export class PtyClient {
  readonly link = new Store<PtyLink>({ state: 'connecting' });
  readonly you = new Store<PtyYou | null>(null);
  /** The room's terminals, in creation order. */
  readonly terminals = new Store<readonly TerminalInfo[]>([]);
  readonly toasts = new Store<readonly Toast[]>([]);

  private ws: WebSocket | null = null;
  private readonly streams = new Map<string, TerminalStream>();
  private readonly createdListeners = new Set<(terminalId: string) => void>();
  private readonly toastTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private nextToastId = 1;
  private attempt = 0;
  private authFailures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribeSession: () => void;
  private closed = false;

  constructor(
    readonly roomId: string,
    private readonly keeper: TokenKeeper,
  ) {
    let token = keeper.session.get().token;
    this.unsubscribeSession = keeper.session.subscribe(() => {
      const next = keeper.session.get().token;
      if (next === token) return;
      token = next;
      this.send({ type: 'refresh', token: next });
    });
    window.addEventListener('online', this.retryNow);
    void this.connect();
  }

  /** Reconnects now instead of waiting for the back-off timer. */
  readonly retryNow = (): void => {
    if (this.closed || this.link.get().state !== 'reconnecting') return;
    clearTimeout(this.retryTimer);
    void this.connect();
  };

  /** Sends a message; false (nothing sent) when the socket is not welcomed. */
  send(msg: PtyClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || this.link.get().state !== 'connected') return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Sends a request the user asked for; says so when it cannot go out. */
  request(msg: PtyClientMessage): void {
    if (!this.send(msg)) this.toast(i18next.t('terminal:toast.notConnected'));
  }

  /** Starts showing a terminal: opens it (snapshot then live output) and keeps it open across reconnects. */
  attach(terminalId: string, sink: TerminalSink): () => void {
    if (this.streams.has(terminalId)) this.send({ type: 'detach', terminalId });
    const stream = new TerminalStream(terminalId, sink, (m) => void this.send(m));
    this.streams.set(terminalId, stream);
    this.send(stream.openMessage());
    return () => {
      if (this.streams.get(terminalId) !== stream) return;
      this.streams.delete(terminalId);
      this.send({ type: 'detach', terminalId });
    };
  }

  /** Calls `listener` with the id of each terminal this tab created (the server opens it for us). */
  onCreated(listener: (terminalId: string) => void): () => void {
    this.createdListeners.add(listener);
    return () => this.createdListeners.delete(listener);
  }

  /** Shows a toast for a while. */
  toast(message: string): void {
    const id = this.nextToastId++;
    const kept = this.toasts.get().slice(-(MAX_TOASTS - 1));
    for (const t of this.toasts.get()) if (!kept.includes(t)) this.clearToastTimer(t.id);
    this.toasts.set([...kept, { id, message }]);
    this.toastTimers.set(id, setTimeout(() => this.dismissToast(id), TOAST_MS));
  }

  dismissToast(id: number): void {
    this.clearToastTimer(id);
    this.toasts.set(this.toasts.get().filter((t) => t.id !== id));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const t of this.toastTimers.values()) clearTimeout(t);
    this.toastTimers.clear();
    this.unsubscribeSession();
    window.removeEventListener('online', this.retryNow);
    this.streams.clear();
    this.createdListeners.clear();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(1000, 'leaving');
    }
  }

  private clearToastTimer(id: number): void {
    clearTimeout(this.toastTimers.get(id));
    this.toastTimers.delete(id);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const prev = this.link.get();
    if (prev.state !== 'reconnecting') this.link.set({ state: 'connecting' });
    const token = await this.keeper.token();
    if (this.closed) return;
    const ws = new WebSocket(ptyUrl(this.roomId));
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token, roomId: this.roomId } satisfies PtyClientMessage));
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') this.onMessage(ev.data);
    };
    ws.onclose = (ev) => this.onClose(ws, ev);
  }

  private onClose(ws: WebSocket, ev: CloseEvent): void {
    if (this.closed || this.ws !== ws) return;
    this.ws = null;
    const { reason, fatal, auth } = describeClose(ev);
    if (fatal) {
      this.link.set({ state: 'failed', reason });
      return;
    }
    if (auth) {
      if (++this.authFailures >= MAX_AUTH_FAILURES) {
        this.link.set({ state: 'failed', reason: i18next.t('terminal:close.rejected') });
        return;
      }
      void this.keeper.refreshNow();
    }
    this.attempt++;
    const delay = reconnectDelayMs(this.attempt);
    this.link.set({ state: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay, reason });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private onMessage(raw: string): void {
    const msg = parseServerMessage(raw, PtyServerMessageSchema);
    if (msg) this.handle(msg);
  }

  private handle(msg: PtyServerMessage): void {
    switch (msg.type) {
      case 'welcome': {
        this.attempt = 0;
        this.authFailures = 0;
        this.you.set(msg.you);
        const ids = new Set(msg.terminals.map((t) => t.id));
        // Terminals we knew that the server no longer has ended while we were away (the hub or the
        // room's node restarted or died: shells do not survive it). Say so rather than let them vanish.
        for (const lost of this.terminals.get().filter((t) => !ids.has(t.id))) {
          this.streams.delete(lost.id);
          this.toast(i18next.t('terminal:toast.lost', { title: lost.title }));
        }
        this.terminals.set(msg.terminals);
        this.link.set({ state: 'connected' });
        for (const [id, stream] of this.streams) {
          if (ids.has(id)) this.send(stream.openMessage());
        }
        return;
      }
      case 'terminal': {
        const list = this.terminals.get();
        const i = list.findIndex((t) => t.id === msg.terminal.id);
        this.terminals.set(i < 0 ? [...list, msg.terminal] : list.map((t, j) => (j === i ? msg.terminal : t)));
        return;
      }
      case 'terminalClosed':
        this.streams.delete(msg.terminalId);
        this.terminals.set(this.terminals.get().filter((t) => t.id !== msg.terminalId));
        return;
      case 'snapshot': {
        const stream = this.streams.get(msg.terminalId);
        if (stream) stream.snapshot(msg.seq, msg.cols, msg.rows, msg.data);
        else for (const l of [...this.createdListeners]) l(msg.terminalId); // `create` opens the new terminal for its creator
        return;
      }
      case 'resumed':
        return this.streams.get(msg.terminalId)?.resumed(msg.fromSeq);
      case 'output':
        return this.streams.get(msg.terminalId)?.output(msg.seq, msg.data);
      case 'resize':
        return this.streams.get(msg.terminalId)?.resize(msg.seq, msg.cols, msg.rows);
      case 'exit':
        return; // the `terminal` update that follows carries the status
      case 'error':
        if (msg.request === 'detach' || (msg.request === 'open' && msg.code === 'NOT_FOUND')) return;
        this.toast(msg.message.charAt(0).toUpperCase() + msg.message.slice(1) + '.');
        return;
    }
  }
}
