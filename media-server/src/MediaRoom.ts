import type { types } from 'mediasoup';
import {
  BadRequestError,
  ConflictError,
  ERRORS,
  ForbiddenError,
  MEDIA_CLOSE_REASONS,
  NotFoundError,
  type CallMode,
  type MediaServerMessage,
  type MediaSource,
} from '@coderoom/shared/client';
import type { Logger } from '@coderoom/shared';
import type { MediaConfig } from './config.js';
import { ACTIVE_SPEAKER_INTERVAL_MS, ROUTER_MEDIA_CODECS } from './codecs.js';
import type { WorkerPool, WorkerSlot } from './WorkerPool.js';
import { Participant, type ParticipantLink, type ProducerAppData, type TransportAppData } from './Participant.js';

/** Most producers one participant may have at once (mic, camera, screen, with room for a switch). */
export const MAX_PRODUCERS_PER_PARTICIPANT = 4;

/** A room's router on one worker, with its active speaker observer. */
interface RouterEntry {
  slot: WorkerSlot;
  router: types.Router;
  speakerObserver: types.ActiveSpeakerObserver;
}

/** Who joins: from the verified token. */
export interface JoinIdentity {
  peerId: string;
  sub: string;
  name: string;
  role: 'host' | 'editor' | 'viewer';
}

/**
 * One room's call: a router per worker it uses (the first on the least-loaded worker; another
 * when a router's consumers would pass MEDIA_CONSUMERS_PER_WORKER), producers piped between
 * them on demand, an active speaker observer, and the p2p/SFU mode.
 */
export class MediaRoom {
  private readonly routers = new Map<WorkerSlot, RouterEntry>();
  private readonly participants = new Map<string, Participant>();
  /** Producer id + target router id → the pipe in progress or done. */
  private readonly pipes = new Map<string, Promise<void>>();
  /** Serialises router placement so concurrent joins do not race for a worker. */
  private placement: Promise<unknown> = Promise.resolve();
  private activeSpeaker: string | null = null;
  private mode: CallMode = 'sfu';
  private p2pPair: string | null = null;
  private closed = false;

  constructor(
    readonly roomId: string,
    private readonly pool: WorkerPool,
    private readonly config: MediaConfig,
    private readonly logger: Logger,
    private readonly onEmpty: (room: MediaRoom) => void,
  ) {}

  /** Number of participants in the call. */
  get size(): number {
    return this.participants.size;
  }

  /** The routers this room has, for tests and metrics. */
  routerList(): types.Router[] {
    return [...this.routers.values()].map((e) => e.router);
  }

  /** Current mode and active speaker. */
  state(): { mode: CallMode; activeSpeaker: string | null } {
    return { mode: this.mode, activeSpeaker: this.activeSpeaker };
  }

  /** Places a newcomer on a router and announces them; call `updateMode()` after answering their hello. */
  async admit(who: JoinIdentity, link: ParticipantLink): Promise<Participant> {
    const entry = await this.placeNewcomer();
    if (this.closed) throw new ConflictError('the call ended');
    const p = new Participant(who.peerId, who.sub, who.name, who.role, entry.slot, entry.router, link);
    this.participants.set(p.peerId, p);
    this.broadcast({ type: 'peerJoined', peer: p.info() }, p);
    this.logger.info({ roomId: this.roomId, peerId: p.peerId, sub: p.sub, worker: entry.slot.index }, 'admit() | joined the call');
    return p;
  }

  /** Everyone else in the call. */
  peersExcept(p: Participant): Participant[] {
    return [...this.participants.values()].filter((o) => o !== p);
  }

  /** Removes a participant; the last one out closes the room. Idempotent. */
  leave(p: Participant): void {
    if (this.participants.get(p.peerId) !== p) return;
    this.participants.delete(p.peerId);
    p.close();
    this.broadcast({ type: 'peerLeft', peerId: p.peerId });
    if (this.activeSpeaker === p.peerId) this.setActiveSpeaker(null);
    this.logger.info({ roomId: this.roomId, peerId: p.peerId }, 'leave() | left the call');
    if (this.participants.size === 0) this.close();
    else this.updateMode();
  }

  /**
   * Recomputes p2p/SFU: peer-to-peer when enabled and exactly two participants who may both
   * send (a viewer's browser cannot be held to "consume only" outside the SFU). Tells everyone.
   */
  updateMode(force = false): void {
    const people = [...this.participants.values()];
    const p2p = this.config.p2p && people.length === 2 && people.every((p) => p.canProduce);
    const mode: CallMode = p2p ? 'p2p' : 'sfu';
    const pair = p2p ? people.map((p) => p.peerId).sort().join(' ') : null;
    if (!force && mode === this.mode && pair === this.p2pPair) return;
    this.mode = mode;
    this.p2pPair = pair;
    this.logger.info({ roomId: this.roomId, mode, participants: people.length }, 'updateMode() | call mode');
    for (const p of people) this.sendMode(p);
  }

  /** Tells one participant the current mode (and their p2p partner). */
  sendMode(p: Participant): void {
    const other = this.mode === 'p2p' ? this.peersExcept(p)[0] : undefined;
    p.send({ type: 'mode', mode: this.mode, peerId: other?.peerId ?? null, initiator: other ? p.peerId < other.peerId : false });
  }

  /** Records the device's capabilities and starts consuming what is already produced. */
  async setRtpCapabilities(p: Participant, caps: types.RtpCapabilities): Promise<void> {
    if (p.rtpCapabilities) throw new ConflictError('rtpCapabilities are already set');
    p.rtpCapabilities = caps;
    await this.consumeExisting(p);
  }

  /** Creates a WebRTC transport on the participant's worker's WebRtcServer. */
  async createTransport(p: Participant, direction: 'send' | 'recv'): Promise<types.WebRtcTransport<TransportAppData>> {
    for (const t of p.transports.values()) if (t.appData.direction === direction) throw new ConflictError(`a ${direction} transport already exists`);
    if (direction === 'send' && !p.canProduce) throw new ForbiddenError('viewers may not send media');
    const transport = await p.router.createWebRtcTransport<TransportAppData>({
      webRtcServer: p.slot.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.config.initialOutgoingBitrateBps,
      appData: { direction },
    });
    p.transports.set(transport.id, transport);
    transport.observer.once('close', () => p.transports.delete(transport.id));
    transport.on('icestatechange', (state) => this.logger.debug({ roomId: this.roomId, peerId: p.peerId, direction, state }, 'transport | ice state'));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.logger.warn({ roomId: this.roomId, peerId: p.peerId, direction, state }, 'transport | dtls state');
    });
    if (direction === 'recv') await this.consumeExisting(p);
    return transport;
  }

  /** Completes DTLS with the client's parameters. */
  async connectTransport(p: Participant, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const t = this.transport(p, transportId);
    if (t.dtlsState !== 'new') throw new ConflictError('transport is already connected');
    await t.connect({ dtlsParameters });
  }

  /** New ICE credentials for a client whose network changed. */
  async restartIce(p: Participant, transportId: string): Promise<types.IceParameters> {
    const t = this.transport(p, transportId);
    this.logger.info({ roomId: this.roomId, peerId: p.peerId, direction: t.appData.direction }, 'restartIce() | fresh ICE credentials');
    return t.restartIce();
  }

  /** Accepts a track from a participant and offers it to everyone else. */
  async produce(p: Participant, transportId: string, kind: types.MediaKind, source: MediaSource, rtpParameters: types.RtpParameters): Promise<string> {
    if (!p.canProduce) throw new ForbiddenError('viewers may not send media unless a host allows it');
    const t = this.transport(p, transportId);
    if (t.appData.direction !== 'send') throw new ConflictError('produce needs a send transport');
    if ((source === 'mic') !== (kind === 'audio')) throw new BadRequestError(`a ${source} producer must be ${source === 'mic' ? 'audio' : 'video'}`);
    for (const existing of p.producers.values()) if (existing.appData.source === source) throw new ConflictError(`a ${source} producer already exists`);
    if (p.producers.size >= MAX_PRODUCERS_PER_PARTICIPANT) throw new ConflictError('too many producers');
    const producer = await t.produce<ProducerAppData>({ kind, rtpParameters, appData: { peerId: p.peerId, source } });
    p.producers.set(producer.id, producer);
    producer.observer.once('close', () => p.producers.delete(producer.id));
    if (kind === 'audio') {
      const entry = this.routers.get(p.slot);
      await entry?.speakerObserver.addProducer({ producerId: producer.id }).catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'produce() | speaker observer refused producer'));
    }
    for (const other of this.peersExcept(p)) if (other.readyToConsume()) await this.consume(other, producer, p);
    return producer.id;
  }

  /** Stops a track. */
  closeProducer(p: Participant, producerId: string): void {
    this.producer(p, producerId).close();
    p.producers.delete(producerId);
  }

  /** Mutes or unmutes a track; consumers hear of it through producerPaused. */
  async setProducerPaused(p: Participant, producerId: string, paused: boolean): Promise<void> {
    const producer = this.producer(p, producerId);
    if (paused) await producer.pause();
    else await producer.resume();
  }

  /** Starts or stops forwarding one consumer (its tile became visible or hidden). */
  async setConsumerPaused(p: Participant, consumerId: string, paused: boolean): Promise<void> {
    const consumer = this.consumer(p, consumerId);
    if (paused) await consumer.pause();
    else await consumer.resume();
  }

  /** Picks the simulcast layer for a consumer. */
  async setConsumerLayers(p: Participant, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    const consumer = this.consumer(p, consumerId);
    if (consumer.type !== 'simulcast') throw new ConflictError('this consumer has no layers');
    await consumer.setPreferredLayers(temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer });
  }

  /** Relays a simple-peer signal to the participant's p2p partner. */
  signal(p: Participant, to: string, data: unknown): void {
    if (this.mode !== 'p2p') throw new ConflictError('the call is not peer-to-peer');
    const target = this.participants.get(to);
    if (!target || target === p) throw new NotFoundError('no such peer in the call');
    target.send({ type: 'signal', from: p.peerId, data });
  }

  /** A host lets a viewer send media, or takes it back (closing what they send). */
  allowProduce(host: Participant, peerId: string, allowed: boolean): Participant {
    if (host.role !== 'host') throw new ForbiddenError('only hosts may change who sends media');
    const target = this.participants.get(peerId);
    if (!target) throw new NotFoundError('no such peer in the call');
    if (target.role !== 'viewer') throw new ConflictError('hosts and editors always may send media');
    target.canProduce = allowed;
    if (!allowed) {
      for (const producer of target.producers.values()) producer.close();
      for (const t of target.transports.values()) if (t.appData.direction === 'send') t.close();
    }
    this.broadcast({ type: 'peerUpdated', peer: target.info() });
    this.updateMode();
    return target;
  }

  /** A worker died: its routers are gone, and so is everyone placed on it (they reconnect). */
  handleWorkerDied(slot: WorkerSlot): void {
    if (!this.routers.delete(slot)) return;
    for (const key of this.pipes.keys()) this.pipes.delete(key);
    for (const p of this.participants.values()) {
      if (p.slot === slot) p.kick(ERRORS.UNAVAILABLE.closeCode, MEDIA_CLOSE_REASONS.WORKER_DIED);
    }
  }

  /** Closes every router (and with them every transport); idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.participants.values()) p.close();
    this.participants.clear();
    for (const e of this.routers.values()) e.router.close();
    this.routers.clear();
    this.pipes.clear();
    this.onEmpty(this);
  }

  private async consumeExisting(p: Participant): Promise<void> {
    if (!p.readyToConsume()) return;
    for (const other of this.peersExcept(p)) {
      for (const producer of other.producers.values()) await this.consume(p, producer, other);
    }
  }

  /** Creates a paused consumer of `producer` for `p`, piping the producer to p's router first when needed. */
  private async consume(p: Participant, producer: types.Producer<ProducerAppData>, owner: Participant): Promise<void> {
    const transport = p.recvTransport();
    if (!transport || !p.rtpCapabilities || producer.closed) return;
    if (p.consumedProducers.has(producer.id)) return;
    p.consumedProducers.add(producer.id);
    let consumer: types.Consumer;
    try {
      if (owner.router !== p.router) await this.pipe(producer.id, owner.router, p.router);
      if (!p.router.canConsume({ producerId: producer.id, rtpCapabilities: p.rtpCapabilities })) {
        this.logger.debug({ roomId: this.roomId, peerId: p.peerId, producerId: producer.id }, 'consume() | device cannot consume');
        return;
      }
      consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: p.rtpCapabilities, paused: true, appData: { peerId: owner.peerId, source: producer.appData.source } });
    } catch (err) {
      p.consumedProducers.delete(producer.id);
      if (producer.closed || transport.closed) return; // raced with a leave or a stop
      throw err;
    }
    if (transport.closed) return; // left meanwhile; the consumer closed with its transport
    p.consumers.set(consumer.id, consumer);
    const gone = (): void => {
      p.consumedProducers.delete(producer.id);
      if (p.consumers.delete(consumer.id)) p.send({ type: 'consumerClosed', consumerId: consumer.id });
    };
    consumer.on('producerclose', gone);
    consumer.on('transportclose', () => p.consumers.delete(consumer.id));
    consumer.on('producerpause', () => p.send({ type: 'producerPaused', consumerId: consumer.id, paused: true }));
    consumer.on('producerresume', () => p.send({ type: 'producerPaused', consumerId: consumer.id, paused: false }));
    p.send({
      type: 'newConsumer',
      consumer: {
        consumerId: consumer.id,
        producerId: producer.id,
        peerId: owner.peerId,
        kind: consumer.kind,
        source: producer.appData.source,
        rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
        producerPaused: consumer.producerPaused,
      },
    });
  }

  /** Pipes a producer from its router to another worker's router of this room, once. */
  private pipe(producerId: string, from: types.Router, to: types.Router): Promise<void> {
    const key = `${producerId}:${to.id}`;
    let done = this.pipes.get(key);
    if (!done) {
      done = from.pipeToRouter({ producerId, router: to }).then(() => undefined);
      this.pipes.set(key, done);
      done.catch(() => this.pipes.delete(key));
      this.logger.debug({ roomId: this.roomId, producerId, to: to.id }, 'pipe() | piping producer to another worker');
    }
    return done;
  }

  /**
   * The router for a newcomer: the room's least-loaded router unless the consumers it would
   * add (one per producer in the room) push it past MEDIA_CONSUMERS_PER_WORKER, in which case
   * a router on a worker the room does not use yet (while there is one).
   */
  private placeNewcomer(): Promise<RouterEntry> {
    const next = this.placement.then(async () => {
      const producersInRoom = [...this.participants.values()].reduce((n, p) => n + p.producers.size, 0);
      const live = [...this.routers.values()].filter((e) => e.slot.alive && !e.router.closed);
      const load = (e: RouterEntry): number => [...this.participants.values()].reduce((n, p) => n + (p.router === e.router ? p.consumers.size : 0), 0);
      const best = live.reduce<RouterEntry | null>((a, b) => (a === null || load(b) < load(a) ? b : a), null);
      if (best && load(best) + producersInRoom <= this.config.consumersPerWorker) return best;
      const used = new Set(live.map((e) => e.slot));
      const slot = this.pool.leastLoaded(used);
      if (best && used.has(slot)) return best; // every worker is in use already
      return this.addRouter(slot);
    });
    this.placement = next.catch(() => undefined);
    return next;
  }

  private async addRouter(slot: WorkerSlot): Promise<RouterEntry> {
    const router = await this.pool.createRouter(slot, ROUTER_MEDIA_CODECS);
    const speakerObserver = await router.createActiveSpeakerObserver({ interval: ACTIVE_SPEAKER_INTERVAL_MS });
    speakerObserver.on('dominantspeaker', ({ producer }) => this.setActiveSpeaker((producer.appData as ProducerAppData).peerId));
    const entry: RouterEntry = { slot, router, speakerObserver };
    this.routers.set(slot, entry);
    this.logger.info({ roomId: this.roomId, worker: slot.index, routers: this.routers.size }, 'addRouter() | room router created');
    return entry;
  }

  private setActiveSpeaker(peerId: string | null): void {
    if (peerId === this.activeSpeaker) return;
    this.activeSpeaker = peerId;
    this.broadcast({ type: 'activeSpeaker', peerId });
  }

  private broadcast(msg: MediaServerMessage, except?: Participant): void {
    for (const p of this.participants.values()) if (p !== except) p.send(msg);
  }

  private transport(p: Participant, id: string): types.WebRtcTransport<TransportAppData> {
    const t = p.transports.get(id);
    if (!t) throw new NotFoundError('no such transport');
    return t;
  }

  private producer(p: Participant, id: string): types.Producer<ProducerAppData> {
    const producer = p.producers.get(id);
    if (!producer) throw new NotFoundError('no such producer');
    return producer;
  }

  private consumer(p: Participant, id: string): types.Consumer {
    const consumer = p.consumers.get(id);
    if (!consumer) throw new NotFoundError('no such consumer');
    return consumer;
  }
}
