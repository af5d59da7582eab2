import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ERRORS, PTY_CLOSE_REASONS, RoomIdSchema, type PtyClientMessage } from '@coderoom/shared/client';
import { AppError, closedWithin, connectionsGauge, rejectUpgrade, type AuditSink, type Logger, type TokenVerifier } from '@coderoom/shared';
import type { PtyConfig } from './config.js';
import { ClientConnection, type ConnectionHost } from './ClientConnection.js';
import { TerminalRoom } from './TerminalRoom.js';
import { RecordingStore, type RecordingEntry } from './RecordingStore.js';
import { RateLimiter } from './RateLimiter.js';
import { ShellLauncher } from './ShellLauncher.js';
import { PtyRelay, RELAY_HEADER } from './PtyRelay.js';

/** Frames up to this multiple of PTY_MAX_MESSAGE_BYTES get a PAYLOAD_TOO_LARGE error; bigger ones close the socket (1009). */
export const OVERSIZE_FRAME_FACTOR = 4;
/** How long close() waits for clients to acknowledge the close frame before cutting them off, in ms. */
export const CLOSE_GRACE_MS = 1000;

/** What createPtyGateway needs. */
export interface PtyGatewayOptions {
  config: PtyConfig;
  logger: Logger;
  verifier: TokenVerifier;
  audit: AuditSink;
  /**
   * Scale-out: resolves to null when this node serves `roomId`'s terminals, to the owner's public
   * URL when another live node does (the socket is relayed there, PTY18), throws an AppError
   * (WRONG_NODE) when the owner cannot be reached. Absent: every room is served here.
   */
  admitRoom?: (roomId: string) => Promise<string | null>;
}

/** The shared-terminal plane, mounted by a hub on its own HTTP server. */
export interface PtyGateway {
  /** Takes over an HTTP upgrade for `/pty`: checks Origin, then runs the protocol (hello first). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The room's recordings, newest first. */
  listRecordings(roomId: string): RecordingEntry[];
  /** Scale-out: another node now owns the room; its clients here are closed with WRONG_NODE and its terminals end. */
  evictRoom(roomId: string): Promise<void>;
  /** The asciicast file of a recording, or null when there is none (ids are validated). */
  recordingPath(roomId: string, id: string): string | null;
  /** Closes every socket of `sub` in the room (a host removed them) with `code` and `reason`. */
  disconnect(roomId: string, sub: string, code: number, reason: string): void;
  /** Kills every shell, closes every socket, finishes recordings, clears timers; idempotent. */
  close(): Promise<void>;
}

/** Creates the gateway. Shells start when clients create terminals. */
export function createPtyGateway(opts: PtyGatewayOptions): PtyGateway {
  return new Gateway(opts);
}

class Gateway implements PtyGateway, ConnectionHost {
  readonly maxMessageBytes: number;
  readonly viewerQueueBytes: number;
  readonly verifier: TokenVerifier;
  private readonly wss: WebSocketServer;
  private readonly rooms = new Map<string, TerminalRoom>();
  private readonly connections = new Set<ClientConnection>();
  private readonly recordings: RecordingStore;
  private readonly launcher: ShellLauncher;
  private readonly inputLimiter: RateLimiter;
  private readonly logger: Logger;
  private closing: Promise<void> | null = null;

  constructor(private readonly opts: PtyGatewayOptions) {
    const { config } = opts;
    this.logger = opts.logger;
    this.verifier = opts.verifier;
    this.maxMessageBytes = config.maxMessageBytes;
    this.viewerQueueBytes = config.viewerQueueBytes;
    this.recordings = new RecordingStore(config.dataDir);
    this.launcher = new ShellLauncher(config, this.logger);
    this.inputLimiter = new RateLimiter(config.inputBytesPerSecond);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes * OVERSIZE_FRAME_FACTOR, perMessageDeflate: false });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing) return rejectUpgrade(socket, 'UNAVAILABLE', 'server shutting down');
    const originError = this.checkOrigin(req);
    if (originError) {
      this.logger.warn({ origin: req.headers.origin ?? null }, `handleUpgrade() | ${originError}`);
      return rejectUpgrade(socket, 'FORBIDDEN', originError);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const roomParam = url.searchParams.get('room');
    if (roomParam !== null && !RoomIdSchema.safeParse(roomParam).success) return rejectUpgrade(socket, 'BAD_REQUEST', 'invalid room id');
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (this.closing) return ws.close(ERRORS.UNAVAILABLE.closeCode, PTY_CLOSE_REASONS.SHUTTING_DOWN);
      const conn = new ClientConnection(ws, roomParam, this, this.logger, req.headers[RELAY_HEADER] !== undefined);
      this.connections.add(conn);
      connectionsGauge.inc({ plane: 'pty' });
      ws.once('close', () => {
        this.connections.delete(conn);
        connectionsGauge.dec({ plane: 'pty' });
      });
    });
  }

  async evictRoom(roomId: string): Promise<void> {
    for (const conn of [...this.connections]) {
      if (conn.claims?.room === roomId) conn.close(ERRORS.WRONG_NODE.closeCode, PTY_CLOSE_REASONS.WRONG_NODE);
    }
    const room = this.rooms.get(roomId);
    if (!room) return;
    this.rooms.delete(roomId);
    this.logger.warn({ roomId }, 'evictRoom() | room moved to another node: terminals closed');
    await room.close();
  }

  async admit(roomId: string, relayed: boolean): Promise<string | null> {
    const ownerUrl = (await this.opts.admitRoom?.(roomId)) ?? null;
    // A hop from another node that does not land on the owner (ownership just moved): the client asks again.
    if (ownerUrl !== null && relayed) throw new AppError('WRONG_NODE', `room ${roomId} moved while being relayed`);
    return ownerUrl;
  }

  relay(ws: WebSocket, ownerUrl: string, roomId: string, hello: Buffer): PtyRelay {
    this.logger.debug({ roomId, ownerUrl }, 'relay() | another node serves the room: relaying');
    return new PtyRelay(ws, ownerUrl, roomId, hello, this.viewerQueueBytes, this.logger);
  }

  join(conn: ClientConnection, resume: { terminalId: string; lastSeq: number } | undefined): void {
    const roomId = conn.claims!.room;
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new TerminalRoom(roomId, { ...this.opts, launcher: this.launcher, recordings: this.recordings, inputLimiter: this.inputLimiter });
      this.rooms.set(roomId, room);
    }
    room.join(conn, resume);
  }

  handle(conn: ClientConnection, msg: PtyClientMessage): void | Promise<void> {
    const room = this.rooms.get(conn.claims!.room);
    if (!room) return;
    return room.handle(conn, msg);
  }

  left(conn: ClientConnection): void {
    this.connections.delete(conn);
    const room = this.rooms.get(conn.claims!.room);
    if (!room) return;
    room.left(conn);
    if (room.empty) this.rooms.delete(room.id);
  }

  listRecordings(roomId: string): RecordingEntry[] {
    return this.recordings.list(roomId, this.rooms.get(roomId)?.activeRecordings() ?? new Set());
  }

  recordingPath(roomId: string, id: string): string | null {
    return this.recordings.path(roomId, id);
  }

  disconnect(roomId: string, sub: string, code: number, reason: string): void {
    for (const c of [...this.connections]) {
      if (c.claims?.room === roomId && c.claims.sub === sub) c.close(code, reason);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const sockets = [...this.connections].map((c) => c.ws);
    for (const c of [...this.connections]) c.close(ERRORS.UNAVAILABLE.closeCode, PTY_CLOSE_REASONS.SHUTTING_DOWN);
    this.connections.clear();
    await Promise.all([...this.rooms.values()].map((r) => r.close()));
    this.rooms.clear();
    await Promise.all(sockets.map((ws) => closedWithin(ws, CLOSE_GRACE_MS)));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.logger.info('close() | pty gateway closed');
  }

  /** null when the Origin is the hub's own host or in PTY_ALLOWED_ORIGINS; else why not. */
  private checkOrigin(req: IncomingMessage): string | null {
    const origin = req.headers.origin;
    if (!origin) return 'missing Origin header';
    if (this.opts.config.allowedOrigins.includes(origin)) return null;
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return 'malformed Origin header';
    }
    return host !== '' && host === req.headers.host ? null : 'Origin not allowed';
  }
}
