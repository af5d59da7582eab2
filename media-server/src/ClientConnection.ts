import { randomBytes } from 'node:crypto';
import type { types } from 'mediasoup';
import type { WebSocket, RawData } from 'ws';
import {
  AppError,
  BadRequestError,
  ConflictError,
  ERRORS,
  MEDIA_CLOSE_REASONS,
  MEDIA_MAX_MESSAGE_BYTES,
  MEDIA_MAX_SIGNAL_BYTES,
  MEDIA_PROTOCOL_VERSION,
  PayloadTooLargeError,
  ProtocolMismatchError,
  RateLimitedError,
  UnauthorizedError,
  type MediaClientMessage,
  type MediaRequest,
  type MediaRequestType,
  type MediaResponse,
  type MediaServerMessage,
} from '@coderoom/shared/client';
import type { AccessClaims, AuditSink, Logger, TokenVerifier } from '@coderoom/shared';
import type { MediaConfig } from './config.js';
import type { MediaRoom } from './MediaRoom.js';
import type { Participant } from './Participant.js';
import { parseClientMessage } from './parseClientMessage.js';

/** Requests one socket may have queued before further ones are refused with RATE_LIMITED. */
export const MAX_PENDING_REQUESTS = 64;
/** Longest mediasoup error message passed on to a client, in characters. */
const MAX_ERROR_MESSAGE_CHARS = 300;

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  readonly config: MediaConfig;
  readonly verifier: TokenVerifier;
  readonly audit: AuditSink;
  /** The room's call, created on demand. */
  room(roomId: string): MediaRoom;
  /** Before joining: throws an AppError when this node must not serve the room's call (scale-out). */
  admit(roomId: string): Promise<void>;
}

/** One `/media` socket: hello first, then requests answered in order. */
export class ClientConnection {
  readonly peerId = randomBytes(9).toString('base64url');
  private claims: AccessClaims | null = null;

  /** Room and subject once the hello was accepted (for the hub's removals), else null. */
  get identity(): Pick<AccessClaims, 'room' | 'sub'> | null {
    return this.claims;
  }
  private room: MediaRoom | null = null;
  private participant: Participant | null = null;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private helloTimer: NodeJS.Timeout | null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private helloSeen = false;
  private closed = false;

  constructor(
    readonly ws: WebSocket,
    private readonly host: ConnectionHost,
    private readonly logger: Logger,
  ) {
    this.helloTimer = setTimeout(() => this.close(ERRORS.UNAUTHORIZED.closeCode, MEDIA_CLOSE_REASONS.BAD_HELLO), host.config.helloTimeoutMs);
    ws.on('message', (data: RawData, isBinary: boolean) => this.onFrame(data, isBinary));
    ws.on('error', (err) => this.logger.debug({ err: err.message }, 'ClientConnection | socket error'));
    ws.once('close', () => this.cleanup());
  }

  /** Closes the socket with a code from ERRORS; idempotent. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    this.cleanup();
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const parsed = parseClientMessage(raw, isBinary, MEDIA_MAX_MESSAGE_BYTES);
    if (!parsed.ok) {
      this.sendError(parsed.id, parsed.error, parsed.request);
      if (!this.claims) this.close(ERRORS.UNAUTHORIZED.closeCode, MEDIA_CLOSE_REASONS.BAD_HELLO);
      return;
    }
    if (!this.helloSeen && parsed.msg.type !== 'hello') {
      this.sendError(parsed.msg.id, new UnauthorizedError('the first request must be hello'), parsed.msg.type);
      this.close(ERRORS.UNAUTHORIZED.closeCode, MEDIA_CLOSE_REASONS.BAD_HELLO);
      return;
    }
    this.helloSeen = true;
    if (this.pending >= MAX_PENDING_REQUESTS) {
      this.sendError(parsed.msg.id, new RateLimitedError(`more than ${MAX_PENDING_REQUESTS} requests pending`), parsed.msg.type);
      return;
    }
    this.pending++;
    const msg = parsed.msg;
    this.queue = this.queue.then(async () => {
      try {
        if (this.closed) return;
        const data = await this.handle(msg);
        this.send({ type: 'result', id: msg.id, request: msg.type, data });
        if (msg.type === 'hello' && this.room && this.participant) this.announce(this.room, this.participant);
      } catch (err) {
        const appError = this.toAppError(err, msg.type);
        this.sendError(msg.id, appError, msg.type);
        if (msg.type === 'hello' && !this.participant) this.close(appError.closeCode, helloCloseReason(appError));
      } finally {
        this.pending--;
      }
    });
  }

  private async handle(msg: MediaClientMessage): Promise<unknown> {
    if (msg.type === 'hello') return this.hello(msg);
    const p = this.participant;
    const room = this.room;
    if (!p || !room) throw new UnauthorizedError('say hello first');
    switch (msg.type) {
      case 'setRtpCapabilities':
        await room.setRtpCapabilities(p, msg.rtpCapabilities as unknown as types.RtpCapabilities);
        return {};
      case 'createTransport': {
        const t = await room.createTransport(p, msg.direction);
        return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters } as unknown as MediaResponse<'createTransport'>;
      }
      case 'connectTransport':
        await room.connectTransport(p, msg.transportId, msg.dtlsParameters as unknown as types.DtlsParameters);
        return {};
      case 'restartIce':
        return { iceParameters: await room.restartIce(p, msg.transportId) };
      case 'produce':
        return { producerId: await room.produce(p, msg.transportId, msg.kind, msg.source, msg.rtpParameters as unknown as types.RtpParameters) };
      case 'closeProducer':
        room.closeProducer(p, msg.producerId);
        return {};
      case 'pauseProducer':
      case 'resumeProducer':
        await room.setProducerPaused(p, msg.producerId, msg.type === 'pauseProducer');
        return {};
      case 'pauseConsumer':
      case 'resumeConsumer':
        await room.setConsumerPaused(p, msg.consumerId, msg.type === 'pauseConsumer');
        return {};
      case 'setConsumerLayers':
        await room.setConsumerLayers(p, msg.consumerId, msg.spatialLayer, msg.temporalLayer);
        return {};
      case 'signal': {
        const size = Buffer.byteLength(JSON.stringify(msg.data ?? null));
        if (size > MEDIA_MAX_SIGNAL_BYTES) throw new PayloadTooLargeError(`signal is ${size} bytes; the limit is ${MEDIA_MAX_SIGNAL_BYTES}`);
        room.signal(p, msg.to, msg.data);
        return {};
      }
      case 'allowProduce': {
        const target = room.allowProduce(p, msg.peerId, msg.allowed);
        this.host.audit.append({ at: Date.now(), roomId: room.roomId, actor: p.sub, actorName: p.name, action: msg.allowed ? 'call.allowProduce' : 'call.revokeProduce', target: target.sub, detail: null });
        return {};
      }
      case 'refresh':
        await this.refresh(msg.token);
        return {};
    }
  }

  private async hello(msg: MediaRequest<'hello'>): Promise<MediaResponse<'hello'>> {
    if (this.claims) throw new ConflictError('hello was already accepted');
    if (msg.protocolVersion !== MEDIA_PROTOCOL_VERSION) throw new ProtocolMismatchError(`server speaks protocol ${MEDIA_PROTOCOL_VERSION}, client ${msg.protocolVersion}`);
    const claims = await this.host.verifier.verify(msg.token);
    if (claims.room !== msg.roomId) throw new AppError('FORBIDDEN', MEDIA_CLOSE_REASONS.WRONG_ROOM);
    await this.host.admit(claims.room);
    if (this.closed) throw new ConflictError('connection closed');
    this.claims = claims;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    this.armExpiry(claims.exp);
    const room = this.host.room(claims.room);
    const participant = await room.admit(
      { peerId: this.peerId, sub: claims.sub, name: claims.name, role: claims.role },
      { send: (m) => this.send(m), kick: (code, reason) => this.close(code, reason) },
    );
    this.room = room;
    this.participant = participant;
    if (this.closed) {
      room.leave(participant);
      throw new ConflictError('connection closed');
    }
    this.host.audit.append({ at: Date.now(), roomId: claims.room, actor: claims.sub, actorName: claims.name, action: 'call.join', target: null, detail: { role: claims.role } });
    const firstRouter = participant.router;
    const state = room.state();
    return {
      protocolVersion: MEDIA_PROTOCOL_VERSION,
      you: participant.info(),
      peers: room.peersExcept(participant).map((o) => o.info()),
      mode: state.mode,
      routerRtpCapabilities: firstRouter.rtpCapabilities as unknown as Record<string, unknown>,
      iceServers: [...this.host.config.iceServers],
      activeSpeaker: state.activeSpeaker,
    };
  }

  /** After the welcome: the mode may change now that this participant is in. */
  private announce(room: MediaRoom, p: Participant): void {
    const before = room.state().mode;
    room.updateMode();
    if (room.state().mode === before) room.sendMode(p);
  }

  private async refresh(token: string): Promise<void> {
    const claims = await this.host.verifier.verify(token);
    if (claims.sub !== this.claims?.sub || claims.room !== this.claims.room) throw new AppError('FORBIDDEN', 'a refreshed token must be for the same person and room');
    this.claims = claims;
    this.armExpiry(claims.exp);
  }

  private armExpiry(expSeconds: number): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const ms = Math.max(0, expSeconds * 1000 - Date.now());
    // setTimeout holds at most ~24.8 days; tokens are minutes long.
    this.expiryTimer = setTimeout(() => this.close(ERRORS.UNAUTHORIZED.closeCode, MEDIA_CLOSE_REASONS.TOKEN_EXPIRED), Math.min(ms, 2 ** 31 - 1));
  }

  private toAppError(err: unknown, request: MediaRequestType): AppError {
    if (err instanceof AppError) return err;
    const e = err as Error;
    // mediasoup rejects invalid parameters with TypeError and unsupported ones with UnsupportedError.
    if (e instanceof TypeError || e?.name === 'UnsupportedError') return new BadRequestError(`${request}: ${e.message.slice(0, MAX_ERROR_MESSAGE_CHARS)}`);
    if (e?.name === 'InvalidStateError') return new ConflictError(`${request}: ${e.message.slice(0, MAX_ERROR_MESSAGE_CHARS)}`);
    this.logger.error({ err, request, peerId: this.peerId }, 'handle() | request failed');
    return new AppError('INTERNAL', 'internal error');
  }

  private send(msg: MediaServerMessage): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(msg));
  }

  private sendError(id: number | null, error: AppError, request?: string): void {
    this.send({ type: 'error', id, code: error.code, message: error.message, ...(request ? { request } : {}) });
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.helloTimer = this.expiryTimer = null;
    if (this.room && this.participant) this.room.leave(this.participant);
    this.participant = null;
  }
}

/** The close reason for a refused hello. */
function helloCloseReason(err: AppError): string {
  switch (err.code) {
    case 'PROTOCOL_MISMATCH':
      return MEDIA_CLOSE_REASONS.PROTOCOL_MISMATCH;
    case 'UNAUTHORIZED':
      return MEDIA_CLOSE_REASONS.UNAUTHORIZED;
    case 'FORBIDDEN':
      return MEDIA_CLOSE_REASONS.WRONG_ROOM;
    default:
      return MEDIA_CLOSE_REASONS.BAD_HELLO;
  }
}
