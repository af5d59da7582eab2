import type { types } from 'mediasoup';
import type { CallPeer, MediaServerMessage, MediaSource, Role } from '@coderoom/shared/client';
import type { WorkerSlot } from './WorkerPool.js';

/** What a producer's appData records. */
export interface ProducerAppData extends types.AppData {
  peerId: string;
  source: MediaSource;
}

/** What a transport's appData records. */
export interface TransportAppData extends types.AppData {
  direction: 'send' | 'recv';
}

/** How a participant reaches its socket. */
export interface ParticipantLink {
  send(msg: MediaServerMessage): void;
  kick(closeCode: number, reason: string): void;
}

/** One person in a room's call, for as long as their socket lives. */
export class Participant {
  /** Their device's RTP capabilities (set once, after Device.load); null until then. */
  rtpCapabilities: types.RtpCapabilities | null = null;
  /** Whether they may send media: hosts and editors, or a viewer a host allowed. */
  canProduce: boolean;
  readonly transports = new Map<string, types.WebRtcTransport<TransportAppData>>();
  readonly producers = new Map<string, types.Producer<ProducerAppData>>();
  readonly consumers = new Map<string, types.Consumer>();
  /** Producers this participant consumes or is about to (guards against consuming one twice). */
  readonly consumedProducers = new Set<string>();
  private closed = false;

  constructor(
    readonly peerId: string,
    readonly sub: string,
    readonly name: string,
    readonly role: Role,
    /** The worker, and the room's router on it, this participant's transports live on. */
    readonly slot: WorkerSlot,
    readonly router: types.Router,
    private readonly link: ParticipantLink,
  ) {
    this.canProduce = role !== 'viewer';
  }

  /** As others see them. */
  info(): CallPeer {
    return { peerId: this.peerId, sub: this.sub, name: this.name, role: this.role, canProduce: this.canProduce };
  }

  /** Sends a notification, unless closed. */
  send(msg: MediaServerMessage): void {
    if (!this.closed) this.link.send(msg);
  }

  /** Ends their connection with a close code (e.g. their worker died); the room sees them leave. */
  kick(closeCode: number, reason: string): void {
    if (!this.closed) this.link.kick(closeCode, reason);
  }

  /** Their receive transport, if created. */
  recvTransport(): types.WebRtcTransport<TransportAppData> | undefined {
    for (const t of this.transports.values()) if (t.appData.direction === 'recv') return t;
    return undefined;
  }

  /** Whether they can receive: capabilities known and a receive transport exists. */
  readyToConsume(): boolean {
    return this.rtpCapabilities !== null && this.recvTransport() !== undefined;
  }

  /** Closes every transport (which closes their producers and consumers); idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.consumedProducers.clear();
  }
}
