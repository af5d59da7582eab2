import type { types as msTypes } from 'mediasoup-client';
import type { SimplePeerInstance } from 'simple-peer/simplepeer.min.js';
import { MEDIA_PROTOCOL_VERSION, type CallMode, type CallPeer, type IceServer, type MediaSource, type NewConsumer, type Welcome } from '@coderoom/shared/client';
import { Store } from '../Store';
import { MediaRequestError, MediaSocket, type MediaNotification } from './MediaSocket';
import { qualityFromStats, type ConnectionQuality } from './connectionQuality';
import { i18next } from '../i18n';

/** Camera simulcast layers: a quarter, a half and full resolution. */
const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' } as RTCRtpEncodingParameters,
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' } as RTCRtpEncodingParameters,
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' } as RTCRtpEncodingParameters,
];
/** Screen share: one detailed layer. */
const SCREEN_MAX_BITRATE_BPS = 2_500_000;
/** Wait after a transport reports `disconnected` before restarting ICE, in ms (brief blips heal alone). */
const ICE_RESTART_DELAY_MS = 2000;
/** How long the p2p link is kept after moving to the SFU, so video does not blank, in ms. */
const P2P_OVERLAP_MS = 4000;
/** How often connection quality is measured, in ms. */
const QUALITY_INTERVAL_MS = 2000;
/** How often the access token is refreshed on the socket, in ms (tokens live 15 minutes). */
const TOKEN_REFRESH_MS = 5 * 60_000;
/** Reconnect back-off: first and longest delay, in ms. */
const RECONNECT_FIRST_MS = 1000;
const RECONNECT_MAX_MS = 10_000;
/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSE_CODES = new Set([4403, 4426]);

/** Someone else in the call, with whatever media of theirs is arriving. */
export interface RemoteParticipant {
  peer: CallPeer;
  audio: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
  /** SFU consumer ids behind camera and screen (null when absent or arriving peer-to-peer). */
  cameraConsumerId: string | null;
  screenConsumerId: string | null;
  /** Whether their microphone is paused. */
  muted: boolean;
  /** How their camera and microphone reach us. */
  via: CallMode;
}

/** Everything the call UI renders. */
export interface CallState {
  status: 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'left';
  error: string | null;
  mode: CallMode;
  self: CallPeer | null;
  participants: RemoteParticipant[];
  activeSpeaker: string | null;
  micOn: boolean;
  camOn: boolean;
  sharing: boolean;
  /** Our own screen share, for the stage. */
  localScreen: MediaStreamTrack | null;
  quality: ConnectionQuality;
}

interface ConsumerEntry {
  consumer: msTypes.Consumer;
  peerId: string;
  source: MediaSource;
  paused: boolean;
  layer: number;
}

/**
 * One person's side of a call: the `/media` socket, mediasoup-client transports for the SFU,
 * and a simple-peer link for two-person calls. Both libraries load when the call starts.
 */
export class CallClient {
  readonly state: Store<CallState>;
  private socket: MediaSocket | null = null;
  private device: msTypes.Device | null = null;
  private sendTransport: msTypes.Transport | null = null;
  private recvTransport: msTypes.Transport | null = null;
  private readonly producers = new Map<MediaSource, msTypes.Producer>();
  private readonly consumers = new Map<string, ConsumerEntry>();
  private readonly remotes = new Map<string, RemoteParticipant>();
  private p2p: { peerId: string; peer: SimplePeerInstance; connected: boolean } | null = null;
  private p2pTracks = new Map<string, { audio: MediaStreamTrack | null; camera: MediaStreamTrack | null }>();
  private screenTrack: MediaStreamTrack | null = null;
  private iceServers: IceServer[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private qualityTimer: ReturnType<typeof setInterval> | null = null;
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private attempt = 0;
  private left = false;

  constructor(
    private readonly roomId: string,
    private readonly getToken: () => Promise<string>,
    /** The microphone and camera tracks from the pre-join check (either may be missing). */
    private readonly local: MediaStream,
  ) {
    this.state = new Store<CallState>({
      status: 'connecting',
      error: null,
      mode: 'sfu',
      self: null,
      participants: [],
      activeSpeaker: null,
      micOn: local.getAudioTracks().some((t) => t.enabled),
      camOn: local.getVideoTracks().some((t) => t.enabled),
      sharing: false,
      localScreen: null,
      quality: 'unknown',
    });
  }

  /** Connects and joins the call. */
  start(): void {
    void this.connect();
    this.qualityTimer = setInterval(() => void this.measureQuality(), QUALITY_INTERVAL_MS);
    this.refreshTimer = setInterval(() => void this.refreshToken(), TOKEN_REFRESH_MS);
  }

  /** Mutes or unmutes the microphone (a paused producer in the SFU, a disabled track peer-to-peer). */
  async setMic(on: boolean): Promise<void> {
    for (const t of this.local.getAudioTracks()) t.enabled = on;
    this.patch({ micOn: on });
    await this.setProducerPaused('mic', !on);
  }

  /** Turns the camera on or off. */
  async setCamera(on: boolean): Promise<void> {
    for (const t of this.local.getVideoTracks()) t.enabled = on;
    this.patch({ camOn: on });
    await this.setProducerPaused('camera', !on);
  }

  /** Shares a screen (always through the SFU, as its own producer), or stops sharing. */
  async setSharing(on: boolean): Promise<void> {
    if (!on) return this.stopScreen();
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { width: { ideal: 1920 }, height: { ideal: 1080 }, frameRate: { ideal: 15 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    track.contentHint = 'detail';
    track.addEventListener('ended', () => void this.stopScreen());
    this.screenTrack = track;
    this.patch({ sharing: true, localScreen: track });
    await this.produce('screen', track);
  }

  /** Tells the server whether a remote video tile is visible and how wide, so it pauses or picks a layer. */
  setVideoView(consumerId: string, visible: boolean, widthPx: number): void {
    const entry = this.consumers.get(consumerId);
    if (!entry || !this.socket) return;
    const socket = this.socket;
    if (!visible) {
      if (entry.paused) return;
      entry.paused = true;
      entry.consumer.pause();
      void socket.request('pauseConsumer', { consumerId }).catch(() => undefined);
      return;
    }
    if (entry.paused) {
      entry.paused = false;
      entry.consumer.resume();
      void socket.request('resumeConsumer', { consumerId }).catch(() => undefined);
    }
    const layer = entry.source === 'screen' ? 2 : widthPx < 320 ? 0 : widthPx < 640 ? 1 : 2;
    if (layer !== entry.layer && entry.consumer.rtpParameters.encodings?.length) {
      entry.layer = layer;
      void socket.request('setConsumerLayers', { consumerId, spatialLayer: layer }).catch(() => undefined);
    }
  }

  /** Restarts ICE on both transports (also done on its own when a transport fails). */
  async restartIce(): Promise<void> {
    await Promise.all([this.sendTransport, this.recvTransport].map((t) => (t ? this.restartTransportIce(t) : undefined)));
  }

  /** Leaves the call; idempotent. The caller stops its local tracks. */
  leave(): void {
    if (this.left) return;
    this.left = true;
    for (const t of this.timers) clearTimeout(t);
    if (this.qualityTimer) clearInterval(this.qualityTimer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.screenTrack?.stop();
    this.teardownMedia();
    this.socket?.close();
    this.socket = null;
    this.patch({ status: 'left', participants: [], sharing: false, localScreen: null });
  }

  private async connect(): Promise<void> {
    if (this.left) return;
    const socket = new MediaSocket(
      this.roomId,
      (msg) => {
        this.chain = this.chain.then(() => this.onNotification(msg)).catch((err: unknown) => this.patch({ error: i18next.t('call:errors.updateFailed', { error: (err as Error).message }) }));
      },
      (ev) => this.onSocketClose(socket, ev),
    );
    this.socket = socket;
    try {
      await socket.opened();
      const welcome = await socket.request('hello', { protocolVersion: MEDIA_PROTOCOL_VERSION, token: await this.getToken(), roomId: this.roomId });
      // Notifications that follow the welcome wait for the devices and transports.
      this.chain = this.chain.then(() => this.setup(socket, welcome));
      await this.chain;
    } catch (err) {
      if (this.socket === socket && !(err instanceof MediaRequestError && err.code === 'CLOSED')) {
        this.patch({ error: (err as Error).message });
        socket.close();
        this.scheduleReconnect();
      }
    }
  }

  private async setup(socket: MediaSocket, welcome: Welcome): Promise<void> {
    this.attempt = 0;
    this.iceServers = welcome.iceServers;
    this.remotes.clear();
    for (const peer of welcome.peers) this.remotes.set(peer.peerId, emptyRemote(peer));
    this.patch({ status: 'connected', error: null, self: welcome.you, activeSpeaker: welcome.activeSpeaker });
    this.publish();
    const { Device } = await import('mediasoup-client');
    const device = new Device();
    await device.load({ routerRtpCapabilities: welcome.routerRtpCapabilities as unknown as msTypes.RtpCapabilities });
    this.device = device;
    await socket.request('setRtpCapabilities', { rtpCapabilities: device.rtpCapabilities as unknown as Record<string, unknown> });
    const info = await socket.request('createTransport', { direction: 'recv' });
    const recv = device.createRecvTransport({ ...(info as unknown as msTypes.TransportOptions), iceServers: this.iceServers as RTCIceServer[] });
    this.wireTransport(recv, socket);
    this.recvTransport = recv;
  }

  private wireTransport(transport: msTypes.Transport, socket: MediaSocket): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      socket.request('connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> }).then(callback, errback);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') void this.restartTransportIce(transport);
      if (state === 'disconnected') {
        this.later(ICE_RESTART_DELAY_MS, () => {
          if (transport.connectionState === 'disconnected' || transport.connectionState === 'failed') void this.restartTransportIce(transport);
        });
      }
    });
  }

  private async restartTransportIce(transport: msTypes.Transport): Promise<void> {
    if (!this.socket || transport.closed) return;
    try {
      const { iceParameters } = await this.socket.request('restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as unknown as msTypes.IceParameters });
    } catch (err) {
      this.patch({ error: i18next.t('call:errors.reconnectFailed', { error: (err as Error).message }) });
    }
  }

  private async onNotification(msg: MediaNotification): Promise<void> {
    switch (msg.type) {
      case 'peerJoined':
      case 'peerUpdated': {
        if (msg.peer.peerId === this.state.get().self?.peerId) return this.onSelfUpdated(msg.peer);
        const existing = this.remotes.get(msg.peer.peerId);
        this.remotes.set(msg.peer.peerId, existing ? { ...existing, peer: msg.peer } : emptyRemote(msg.peer));
        this.publish();
        return;
      }
      case 'peerLeft':
        this.remotes.delete(msg.peerId);
        this.p2pTracks.delete(msg.peerId);
        this.publish();
        return;
      case 'mode':
        return this.onMode(msg.mode, msg.peerId, msg.initiator);
      case 'newConsumer':
        return this.consume(msg.consumer);
      case 'consumerClosed': {
        const entry = this.consumers.get(msg.consumerId);
        if (!entry) return;
        entry.consumer.close();
        this.consumers.delete(msg.consumerId);
        this.publish();
        return;
      }
      case 'producerPaused': {
        const entry = this.consumers.get(msg.consumerId);
        if (entry?.source === 'mic') {
          const r = this.remotes.get(entry.peerId);
          if (r) this.remotes.set(entry.peerId, { ...r, muted: msg.paused });
          this.publish();
        }
        return;
      }
      case 'activeSpeaker':
        this.patch({ activeSpeaker: msg.peerId });
        return;
      case 'signal':
        if (this.p2p && this.p2p.peerId === msg.from && !this.p2p.peer.destroyed) this.p2p.peer.signal(msg.data);
        return;
    }
  }

  /** A host allowed us to send media, or took it back (the server already closed what we sent). */
  private async onSelfUpdated(self: CallPeer): Promise<void> {
    this.patch({ self });
    if (!self.canProduce) {
      for (const p of this.producers.values()) p.close();
      this.producers.clear();
      this.sendTransport?.close();
      this.sendTransport = null;
      return;
    }
    if (this.state.get().mode === 'sfu') await this.produceAll();
  }

  private async onMode(mode: CallMode, peerId: string | null, initiator: boolean): Promise<void> {
    this.patch({ mode });
    if (mode === 'p2p' && peerId) {
      if (this.p2p?.peerId === peerId && !this.p2p.peer.destroyed) return;
      this.destroyP2p();
      await this.startP2p(peerId, initiator);
      return;
    }
    // SFU: send through the server first, then let the p2p link go once the SFU carries media.
    await this.produceAll();
    if (this.p2p) {
      const link = this.p2p;
      this.later(P2P_OVERLAP_MS, () => {
        if (this.p2p === link && this.state.get().mode === 'sfu') this.destroyP2p();
      });
    }
  }

  private async startP2p(peerId: string, initiator: boolean): Promise<void> {
    const { default: SimplePeer } = await import('simple-peer/simplepeer.min.js');
    const av = new MediaStream([...this.local.getAudioTracks(), ...this.local.getVideoTracks()]);
    const peer = new SimplePeer({ initiator, stream: av, trickle: true, config: { iceServers: this.iceServers as RTCIceServer[] } });
    const link = { peerId, peer, connected: false };
    this.p2p = link;
    peer.on('signal', (data) => {
      void this.socket?.request('signal', { to: peerId, data }).catch(() => undefined);
    });
    peer.on('stream', (stream) => {
      this.p2pTracks.set(peerId, { audio: stream.getAudioTracks()[0] ?? null, camera: stream.getVideoTracks()[0] ?? null });
      this.publish();
    });
    peer.on('connect', () => {
      link.connected = true;
      // Media flows directly now: stop sending camera and microphone through the SFU (a screen share stays there).
      if (this.p2p === link && this.state.get().mode === 'p2p') {
        for (const source of ['mic', 'camera'] as const) this.closeProducer(source);
      }
    });
    const lost = (): void => {
      if (this.p2p !== link) return;
      this.p2p = null;
      this.p2pTracks.delete(peerId);
      this.publish();
      // The direct link failed: keep the call up through the SFU.
      void this.produceAll();
    };
    peer.on('close', lost);
    // Errors end the link ('close' may not follow); the SFU takes over.
    peer.on('error', lost);
    this.publish();
  }

  private destroyP2p(): void {
    const link = this.p2p;
    if (!link) return;
    this.p2p = null;
    this.p2pTracks.delete(link.peerId);
    link.peer.destroy();
    this.publish();
  }

  /** Makes sure microphone, camera and any screen share are being sent through the SFU. */
  private async produceAll(): Promise<void> {
    const self = this.state.get().self;
    if (!self?.canProduce) return;
    const mic = this.local.getAudioTracks()[0];
    const cam = this.local.getVideoTracks()[0];
    if (mic) await this.produce('mic', mic);
    if (cam) await this.produce('camera', cam);
    if (this.screenTrack) await this.produce('screen', this.screenTrack);
  }

  private async produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    if (this.producers.has(source) || !this.device || !this.socket) return;
    const transport = await this.ensureSendTransport();
    if (!transport || this.producers.has(source)) return;
    // stopTracks: false — the tracks belong to the local stream, which the p2p link and later producers share.
    const common = { track, stopTracks: false, appData: { source } };
    const producer =
      source === 'mic'
        ? await transport.produce({ ...common, codecOptions: { opusDtx: true, opusStereo: false } })
        : source === 'camera'
          ? await transport.produce({ ...common, encodings: CAMERA_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } })
          : await transport.produce({ ...common, encodings: [{ maxBitrate: SCREEN_MAX_BITRATE_BPS }] });
    this.producers.set(source, producer);
    const on = source === 'mic' ? this.state.get().micOn : source === 'camera' ? this.state.get().camOn : true;
    if (!on) await this.setProducerPaused(source, true);
  }

  private async ensureSendTransport(): Promise<msTypes.Transport | null> {
    if (this.sendTransport && !this.sendTransport.closed) return this.sendTransport;
    const socket = this.socket;
    if (!socket || !this.device) return null;
    const info = await socket.request('createTransport', { direction: 'send' });
    const transport = this.device.createSendTransport({ ...(info as unknown as msTypes.TransportOptions), iceServers: this.iceServers as RTCIceServer[] });
    this.wireTransport(transport, socket);
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      socket
        .request('produce', { transportId: transport.id, kind, source: (appData as { source: MediaSource }).source, rtpParameters: rtpParameters as unknown as Record<string, unknown> })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    this.sendTransport = transport;
    return transport;
  }

  private async setProducerPaused(source: MediaSource, paused: boolean): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer || !this.socket) return;
    if (paused) producer.pause();
    else producer.resume();
    await this.socket.request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id }).catch(() => undefined);
  }

  private closeProducer(source: MediaSource): void {
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close(); // the track lives on (stopTracks: false)
    void this.socket?.request('closeProducer', { producerId: producer.id }).catch(() => undefined);
  }

  private async stopScreen(): Promise<void> {
    this.closeProducer('screen');
    this.screenTrack?.stop();
    this.screenTrack = null;
    this.patch({ sharing: false, localScreen: null });
  }

  private async consume(c: NewConsumer): Promise<void> {
    if (!this.recvTransport || !this.socket) return;
    const consumer = await this.recvTransport.consume({ id: c.consumerId, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters as unknown as msTypes.RtpParameters });
    this.consumers.set(c.consumerId, { consumer, peerId: c.peerId, source: c.source, paused: false, layer: -1 });
    if (c.source === 'mic') {
      const r = this.remotes.get(c.peerId);
      if (r) this.remotes.set(c.peerId, { ...r, muted: c.producerPaused });
    }
    // Resume now; a tile that is not visible pauses its video again (setVideoView).
    await this.socket.request('resumeConsumer', { consumerId: c.consumerId });
    this.publish();
  }

  /** Rebuilds the participants list from peers, SFU consumers and p2p tracks. */
  private publish(): void {
    const list: RemoteParticipant[] = [];
    for (const r of this.remotes.values()) {
      const sfu = { audio: null as MediaStreamTrack | null, camera: null as MediaStreamTrack | null, screen: null as MediaStreamTrack | null, cameraConsumerId: null as string | null, screenConsumerId: null as string | null };
      for (const [id, e] of this.consumers) {
        if (e.peerId !== r.peer.peerId) continue;
        if (e.source === 'mic') sfu.audio = e.consumer.track;
        if (e.source === 'camera') {
          sfu.camera = e.consumer.track;
          sfu.cameraConsumerId = id;
        }
        if (e.source === 'screen') {
          sfu.screen = e.consumer.track;
          sfu.screenConsumerId = id;
        }
      }
      const direct = this.p2pTracks.get(r.peer.peerId);
      const useDirect = direct !== undefined && (!sfu.camera || this.state.get().mode === 'p2p');
      list.push({
        ...r,
        audio: useDirect ? direct.audio : sfu.audio,
        camera: useDirect ? direct.camera : sfu.camera,
        cameraConsumerId: useDirect ? null : sfu.cameraConsumerId,
        screen: sfu.screen,
        screenConsumerId: sfu.screenConsumerId,
        via: useDirect ? 'p2p' : 'sfu',
      });
    }
    this.patch({ participants: list });
  }

  private onSocketClose(socket: MediaSocket, ev: CloseEvent): void {
    if (this.socket !== socket || this.left) return;
    this.socket = null;
    this.teardownMedia();
    if (FATAL_CLOSE_CODES.has(ev.code)) {
      this.patch({ status: 'failed', error: ev.reason || i18next.t('call:errors.refused') });
      return;
    }
    this.patch({ error: ev.reason || null });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.left) return;
    this.attempt++;
    this.patch({ status: 'reconnecting' });
    this.later(Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** (this.attempt - 1)), () => void this.connect());
  }

  private teardownMedia(): void {
    this.destroyP2p();
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    for (const c of this.consumers.values()) c.consumer.close();
    this.consumers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = this.recvTransport = null;
    this.device = null;
    this.chain = Promise.resolve();
    this.remotes.clear();
    this.p2pTracks.clear();
    this.publish();
  }

  private async measureQuality(): Promise<void> {
    const reports: RTCStatsReport[] = [];
    try {
      if (this.recvTransport && !this.recvTransport.closed) reports.push(await this.recvTransport.getStats());
      if (this.sendTransport && !this.sendTransport.closed) reports.push(await this.sendTransport.getStats());
      const pc = this.p2p?.peer._pc;
      if (pc && pc.connectionState !== 'closed') reports.push(await pc.getStats());
    } catch {
      return;
    }
    this.patch({ quality: qualityFromStats(reports) });
  }

  private async refreshToken(): Promise<void> {
    try {
      await this.socket?.request('refresh', { token: await this.getToken() });
    } catch {
      // The socket closes when the token expires; reconnecting fetches a fresh one.
    }
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private patch(p: Partial<CallState>): void {
    this.state.set({ ...this.state.get(), ...p });
  }
}

function emptyRemote(peer: CallPeer): RemoteParticipant {
  return { peer, audio: null, camera: null, screen: null, cameraConsumerId: null, screenConsumerId: null, muted: false, via: 'sfu' };
}
