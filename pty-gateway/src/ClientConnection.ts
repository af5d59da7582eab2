import type { WebSocket, RawData } from 'ws';
import {
  AppError,
  ERRORS,
  PTY_CLOSE_REASONS,
  PTY_PROTOCOL_VERSION,
  toAppError,
  type PtyClientMessage,
  type PtyServerMessage,
} from '@coderoom/shared/client';
import type { AccessClaims, Logger, TokenVerifier } from '@coderoom/shared';
import { parseClientMessage } from './parseClientMessage.js';
import type { TerminalView, ViewSocket } from './TerminalView.js';
import { bytesOutCounter } from './metrics.js';
import type { PtyRelay } from './PtyRelay.js';

/** Time a client has to send a valid hello, in ms. */
export const HELLO_TIMEOUT_MS = 10_000;
/** How often a congested socket's backlog is checked, in ms. */
export const DRAIN_POLL_MS = 10;
/** Messages accepted while the hello's token is being verified. */
export const MAX_MESSAGES_BEFORE_WELCOME = 32;
/** Longest a timer may be set for (setTimeout's limit), in ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a connection asks of the gateway. */
export interface ConnectionHost {
  readonly maxMessageBytes: number;
  readonly viewerQueueBytes: number;
  readonly verifier: TokenVerifier;
  /**
   * Before joining: resolves to the owner's URL when another node serves the room and this
   * socket is to be relayed there (scale-out, PTY18), throws an AppError when it must not be served.
   */
  admit(roomId: string, relayed: boolean): Promise<string | null>;
  /** Pipes this socket to the owner at `ownerUrl`, starting with the hello. */
  relay(ws: WebSocket, ownerUrl: string, roomId: string, hello: Buffer): PtyRelay;
  /** The hello was accepted: join the room (sends welcome). */
  join(conn: ClientConnection, resume: { terminalId: string; lastSeq: number } | undefined): void;
  /** A message after welcome. */
  handle(conn: ClientConnection, msg: PtyClientMessage): void | Promise<void>;
  /** The socket closed. */
  left(conn: ClientConnection): void;
}

/**
 * One client socket: the hello handshake (protocol version, token, room), then framing,
 * validation and flow control; the room does the rest.
 */
export class ClientConnection implements ViewSocket {
  /** Set once the hello's token is verified. */
  claims: AccessClaims | null = null;
  /** The terminals this client watches. */
  readonly views = new Map<string, TerminalView>();
  private helloTimer: NodeJS.Timeout | null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private drainTimer: NodeJS.Timeout | null = null;
  private readonly draining = new Set<TerminalView>();
  private queued = 0;
  private ready: Promise<boolean> | null = null;
  private closed = false;
  /** Set when another node serves the room: every frame goes there as it is. */
  private relay: PtyRelay | null = null;

  constructor(
    readonly ws: WebSocket,
    private readonly roomId: string | null,
    private readonly host: ConnectionHost,
    private readonly logger: Logger,
    /** The socket is itself a relay's hop from another node (never relayed again). */
    private readonly relayed = false,
  ) {
    this.helloTimer = setTimeout(() => this.close(ERRORS.UNAUTHORIZED.closeCode, PTY_CLOSE_REASONS.UNAUTHORIZED), HELLO_TIMEOUT_MS);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', (err) => this.logger.debug({ err }, 'ClientConnection | socket error'));
  }

  get congested(): boolean {
    return this.ws.bufferedAmount > this.host.viewerQueueBytes;
  }

  sendFrame(frame: Buffer): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(frame, { binary: false });
    bytesOutCounter.inc(frame.byteLength);
  }

  send(msg: PtyServerMessage): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    const text = JSON.stringify(msg);
    this.ws.send(text);
    bytesOutCounter.inc(Buffer.byteLength(text));
  }

  /** Answers a failed request; nothing changed. */
  sendError(err: AppError, terminalId?: string, request?: string): void {
    this.send({ type: 'error', code: err.code, message: err.message, ...(terminalId ? { terminalId } : {}), ...(request ? { request } : {}) });
  }

  wantDrain(view: TerminalView): void {
    this.draining.add(view);
    this.drainTimer ??= setInterval(() => this.pollDrain(), DRAIN_POLL_MS);
  }

  /** Replaces the claims after a `refresh` (same subject and room). */
  setClaims(claims: AccessClaims): void {
    this.claims = claims;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, claims.exp * 1000 - Date.now()));
    this.expiryTimer = setTimeout(() => this.close(ERRORS.UNAUTHORIZED.closeCode, PTY_CLOSE_REASONS.TOKEN_EXPIRED), ms);
  }

  /** Closes the socket with a code from ERRORS; idempotent. Stops every view and timer. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
    this.onClose();
  }

  private pollDrain(): void {
    if (this.congested) return;
    const views = [...this.draining];
    this.draining.clear();
    for (const v of views) v.catchUp();
    if (this.draining.size === 0 && this.drainTimer) {
      clearInterval(this.drainTimer);
      this.drainTimer = null;
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (this.relay) return this.relay.fromClient(raw, isBinary);
    if (!this.ready) return this.onHello(raw, isBinary);
    if (++this.queued > MAX_MESSAGES_BEFORE_WELCOME && !this.claims) {
      return this.close(ERRORS.RATE_LIMITED.closeCode, 'too many messages before welcome');
    }
    void this.ready.then((ok) => {
      this.queued--;
      if (this.relay) return this.relay.fromClient(raw, isBinary);
      if (!ok || this.closed) return;
      const parsed = parseClientMessage(raw, isBinary, this.host.maxMessageBytes);
      if (!parsed.ok) return this.sendError(parsed.error);
      if (parsed.msg.type === 'hello') return this.sendError(new AppError('CONFLICT', 'hello was already accepted'), undefined, 'hello');
      const msg = parsed.msg;
      const fail = (err: unknown): void => {
        const e = toAppError(err);
        if (e.code === 'INTERNAL') this.logger.error({ err, type: msg.type }, 'handle() | failed');
        this.sendError(e, 'terminalId' in msg ? msg.terminalId : undefined, msg.type);
      };
      try {
        this.host.handle(this, msg)?.catch(fail);
      } catch (err) {
        fail(err);
      }
    });
  }

  private onHello(raw: Buffer, isBinary: boolean): void {
    // The version is checked before the schema, so a client of another version learns why.
    let version: unknown;
    try {
      version = (JSON.parse(raw.toString('utf8')) as { protocolVersion?: unknown })?.protocolVersion;
    } catch {
      version = undefined;
    }
    if (typeof version === 'number' && version !== PTY_PROTOCOL_VERSION) {
      return this.close(ERRORS.PROTOCOL_MISMATCH.closeCode, `${PTY_CLOSE_REASONS.PROTOCOL_MISMATCH}: server speaks ${PTY_PROTOCOL_VERSION}`);
    }
    const parsed = parseClientMessage(raw, isBinary, this.host.maxMessageBytes);
    if (!parsed.ok || parsed.msg.type !== 'hello') {
      const code = parsed.ok ? ERRORS.BAD_REQUEST.closeCode : parsed.error.closeCode;
      return this.close(code, PTY_CLOSE_REASONS.BAD_HELLO);
    }
    const hello = parsed.msg;
    this.ready = this.host.verifier.verify(hello.token).then(
      async (claims) => {
        if (this.closed) return false;
        if (claims.room !== hello.roomId || (this.roomId !== null && this.roomId !== hello.roomId)) {
          this.close(ERRORS.FORBIDDEN.closeCode, PTY_CLOSE_REASONS.WRONG_ROOM);
          return false;
        }
        let ownerUrl: string | null;
        try {
          ownerUrl = await this.host.admit(hello.roomId, this.relayed);
        } catch (err) {
          // Close reasons are short and fixed: WRONG_NODE says where to ask, anything else its code.
          const e = toAppError(err);
          if (e.code === 'INTERNAL') this.logger.error({ err, roomId: hello.roomId }, 'onHello() | admit failed');
          this.close(e.closeCode, e.code === 'WRONG_NODE' ? PTY_CLOSE_REASONS.WRONG_NODE : e.code);
          return false;
        }
        if (this.closed) return false;
        if (this.helloTimer) clearTimeout(this.helloTimer);
        this.helloTimer = null;
        if (ownerUrl !== null) {
          // Messages that arrived meanwhile follow the hello there (they are handled in order).
          this.relay = this.host.relay(this.ws, ownerUrl, hello.roomId, raw);
          return false;
        }
        this.setClaims(claims);
        this.host.join(this, hello.resume);
        return true;
      },
      () => {
        this.close(ERRORS.UNAUTHORIZED.closeCode, PTY_CLOSE_REASONS.UNAUTHORIZED);
        return false;
      },
    );
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of [this.helloTimer, this.expiryTimer]) if (t) clearTimeout(t);
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.helloTimer = this.expiryTimer = this.drainTimer = null;
    this.draining.clear();
    for (const v of this.views.values()) v.close();
    this.views.clear();
    this.ws.removeAllListeners('message');
    if (this.claims) this.host.left(this);
  }
}
