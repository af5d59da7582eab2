import {
  MEDIA_RESPONSE_SCHEMAS,
  MediaServerMessageSchema,
  type ErrorCode,
  type MediaRequestType,
  type MediaResponse,
  type MediaServerMessage,
} from '@coderoom/shared/client';
import { parseServerMessage } from '../parseServerMessage';

/** How long a request may wait for its answer, in ms. */
const REQUEST_TIMEOUT_MS = 15_000;

/** A request the server refused, with its typed code. */
export class MediaRequestError extends Error {
  constructor(
    readonly code: ErrorCode | 'TIMEOUT' | 'CLOSED',
    message: string,
  ) {
    super(message);
  }
}

/** A notification (anything but a result or error). */
export type MediaNotification = Exclude<MediaServerMessage, { type: 'result' | 'error' }>;

/** The `/media` signaling socket (same origin): requests paired with answers by id, notifications to a callback. */
export class MediaSocket {
  private readonly ws: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, { type: MediaRequestType; resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  private closed = false;

  constructor(
    roomId: string,
    private readonly onNotification: (msg: MediaNotification) => void,
    private readonly onClose: (ev: CloseEvent) => void,
  ) {
    // The room rides in the query so a load balancer can keep a room's sockets on one server (infra/README.md).
    this.ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/media?room=${encodeURIComponent(roomId)}`);
    this.ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') this.onMessage(ev.data);
    };
    this.ws.onclose = (ev) => {
      this.failAll('CLOSED', 'connection closed');
      if (!this.closed) {
        this.closed = true;
        this.onClose(ev);
      }
    };
  }

  /** Resolves once the socket is open. */
  opened(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.ws.addEventListener('open', () => resolve(), { once: true });
      this.ws.addEventListener('close', () => reject(new MediaRequestError('CLOSED', 'could not connect to the call server')), { once: true });
    });
  }

  /** Sends a request and resolves with its validated result. */
  request<T extends MediaRequestType>(type: T, body: Record<string, unknown> = {}): Promise<MediaResponse<T>> {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new MediaRequestError('CLOSED', 'not connected'));
    const id = this.nextId++;
    return new Promise<MediaResponse<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new MediaRequestError('TIMEOUT', `${type} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject, timer });
      this.ws.send(JSON.stringify({ type, id, ...body }));
    });
  }

  /** Closes the socket; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll('CLOSED', 'left the call');
    this.ws.close(1000, 'left');
  }

  private onMessage(raw: string): void {
    const msg = parseServerMessage(raw, MediaServerMessageSchema);
    if (!msg) return;
    if (msg.type === 'result' || msg.type === 'error') {
      if (msg.id === null) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.type === 'error') return p.reject(new MediaRequestError(msg.code, msg.message));
      const data = MEDIA_RESPONSE_SCHEMAS[p.type].safeParse(msg.data);
      if (!data.success) return p.reject(new MediaRequestError('INTERNAL', `unexpected ${p.type} answer`));
      return p.resolve(data.data);
    }
    this.onNotification(msg);
  }

  private failAll(code: 'CLOSED', message: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new MediaRequestError(code, message));
    }
    this.pending.clear();
  }
}
