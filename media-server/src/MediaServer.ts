import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ERRORS, MEDIA_CLOSE_REASONS, MEDIA_MAX_MESSAGE_BYTES } from '@coderoom/shared/client';
import { closedWithin, connectionsGauge, isOriginAllowed, rejectUpgrade, type AuditSink, type Logger, type TokenVerifier } from '@coderoom/shared';
import type { MediaConfig } from './config.js';
import { WorkerPool } from './WorkerPool.js';
import { MediaRoom } from './MediaRoom.js';
import { ClientConnection, type ConnectionHost } from './ClientConnection.js';

/** Frames up to this multiple of MEDIA_MAX_MESSAGE_BYTES get a PAYLOAD_TOO_LARGE error; bigger ones close the socket (1009). */
export const OVERSIZE_FRAME_FACTOR = 4;
/** How long close() waits for clients to acknowledge the close frame before cutting them off, in ms. */
export const CLOSE_GRACE_MS = 1000;

/** What createMediaServer needs. */
export interface MediaServerOptions {
  config: MediaConfig;
  logger: Logger;
  verifier: TokenVerifier;
  audit: AuditSink;
  /** Origins allowed besides the host's own (merged with MEDIA_ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
  /**
   * Scale-out: resolves when this node may serve `roomId`'s call, throws an AppError (WRONG_NODE
   * when another node owns the room) otherwise. Absent: every room is served here.
   */
  admitRoom?: (roomId: string) => Promise<void>;
}

/** The call plane, mounted by a hub on its own HTTP server at `/media`. */
export interface MediaServer {
  /** Takes over an HTTP upgrade for `/media`: checks Origin, then runs the protocol (hello first). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Null when every mediasoup worker is alive, else the reason (dead workers are being replaced). */
  readiness(): string | null;
  /** The workers, for /readyz and metrics. */
  workers(): { pid: number; alive: boolean }[];
  /** Closes every socket of `sub` in the room (a host removed them) with `code` and `reason`. */
  disconnect(roomId: string, sub: string, code: number, reason: string): void;
  /** Closes every socket, router and worker; idempotent. */
  close(): Promise<void>;
}

/** Starts the mediasoup workers (one WebRtcServer each) and returns the server. */
export async function createMediaServer(opts: MediaServerOptions): Promise<MediaServer> {
  const pool = await WorkerPool.start(opts.config, opts.logger);
  return new Server(opts, pool);
}

class Server implements MediaServer, ConnectionHost {
  readonly config: MediaConfig;
  readonly verifier: TokenVerifier;
  readonly audit: AuditSink;
  private readonly logger: Logger;
  private readonly allowedOrigins: readonly string[];
  private readonly admitRoom: ((roomId: string) => Promise<void>) | undefined;
  private readonly wss: WebSocketServer;
  private readonly rooms = new Map<string, MediaRoom>();
  private readonly connections = new Set<ClientConnection>();
  private readonly unsubscribe: () => void;
  private closing: Promise<void> | null = null;

  constructor(
    opts: MediaServerOptions,
    private readonly pool: WorkerPool,
  ) {
    this.config = opts.config;
    this.verifier = opts.verifier;
    this.audit = opts.audit;
    this.logger = opts.logger;
    this.allowedOrigins = [...opts.config.allowedOrigins, ...opts.allowedOrigins];
    this.admitRoom = opts.admitRoom;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MEDIA_MAX_MESSAGE_BYTES * OVERSIZE_FRAME_FACTOR, perMessageDeflate: false });
    this.unsubscribe = pool.onWorkerDied((slot) => {
      for (const room of this.rooms.values()) room.handleWorkerDied(slot);
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing) return rejectUpgrade(socket, 'UNAVAILABLE', 'server shutting down');
    if (!isOriginAllowed(req, this.allowedOrigins)) {
      this.logger.warn({ origin: req.headers.origin ?? null }, 'handleUpgrade() | origin not allowed');
      return rejectUpgrade(socket, 'FORBIDDEN', 'origin not allowed');
    }
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (this.closing) return ws.close(ERRORS.UNAVAILABLE.closeCode, MEDIA_CLOSE_REASONS.SHUTTING_DOWN);
      const conn = new ClientConnection(ws, this, this.logger.child({ component: 'ClientConnection' }));
      this.connections.add(conn);
      connectionsGauge.inc({ plane: 'media' });
      ws.once('close', () => {
        this.connections.delete(conn);
        connectionsGauge.dec({ plane: 'media' });
      });
    });
  }

  async admit(roomId: string): Promise<void> {
    await this.admitRoom?.(roomId);
  }

  room(roomId: string): MediaRoom {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new MediaRoom(roomId, this.pool, this.config, this.logger.child({ component: 'MediaRoom' }), (r) => {
        if (this.rooms.get(r.roomId) === r) this.rooms.delete(r.roomId);
      });
      this.rooms.set(roomId, room);
    }
    return room;
  }

  readiness(): string | null {
    if (this.closing) return 'shutting down';
    return this.pool.readiness();
  }

  workers(): { pid: number; alive: boolean }[] {
    return this.pool.list().map((s) => ({ pid: s.worker.pid, alive: s.alive }));
  }

  disconnect(roomId: string, sub: string, code: number, reason: string): void {
    for (const c of [...this.connections]) {
      if (c.identity?.room === roomId && c.identity.sub === sub) c.close(code, reason);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.unsubscribe();
    const sockets = [...this.connections].map((c) => c.ws);
    for (const c of [...this.connections]) c.close(ERRORS.UNAVAILABLE.closeCode, MEDIA_CLOSE_REASONS.SHUTTING_DOWN);
    this.connections.clear();
    for (const room of [...this.rooms.values()]) room.close();
    this.rooms.clear();
    await Promise.all(sockets.map((ws) => closedWithin(ws, CLOSE_GRACE_MS)));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.pool.close();
    this.logger.info('close() | media server closed');
  }
}
