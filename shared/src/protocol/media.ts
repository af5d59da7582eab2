import { z } from 'zod';
import { RoomIdSchema } from '../ids.js';
import { RoleSchema } from '../roles.js';
import { ERRORS, type ErrorCode } from '../errors.js';

/**
 * The call signaling protocol spoken on `/media`: JSON text frames, one message per frame.
 * The client sends requests `{ type, id, ... }`; the server answers each with exactly one
 * `result` (same id, data shaped by MEDIA_RESPONSE_SCHEMAS[type]) or one `error` (same id).
 * The first request must be `hello` (PROTOCOL_VERSION, token, room); anything else closes the
 * socket with UNAUTHORIZED. The server also pushes notifications (no id).
 * Browser-safe: no node imports. mediasoup's own parameter objects (RTP capabilities and
 * parameters, DTLS/ICE parameters) travel as opaque JSON objects and are validated by mediasoup.
 */

/** Version of this protocol; another one is closed with PROTOCOL_MISMATCH (4426). */
export const MEDIA_PROTOCOL_VERSION = 1;
/** Largest client frame, in bytes (SDP-sized RTP parameters fit well within it). */
export const MEDIA_MAX_MESSAGE_BYTES = 64 * 1024;
/** Largest simple-peer signal payload relayed between two browsers, in bytes. */
export const MEDIA_MAX_SIGNAL_BYTES = 16 * 1024;

/** Reasons sent with each close code the media server uses (the code alone is the contract). */
export const MEDIA_CLOSE_REASONS = {
  /** hello.protocolVersion differs from MEDIA_PROTOCOL_VERSION. */
  PROTOCOL_MISMATCH: 'protocol version mismatch',
  /** The first frame was not a valid hello, or none came in time. */
  BAD_HELLO: 'first message must be a valid hello',
  /** A missing, invalid or expired token. */
  UNAUTHORIZED: 'unauthorized',
  /** The token admits to another room than the one asked for. */
  WRONG_ROOM: 'token is for another room',
  /** The token expired during the call and was not refreshed. */
  TOKEN_EXPIRED: 'token expired',
  /** The mediasoup worker hosting this call died; reconnect to get a fresh one. */
  WORKER_DIED: 'media worker restarted, reconnect',
  /** The server is shutting down. */
  SHUTTING_DOWN: 'server shutting down',
} as const;

/** Server-made ids (mediasoup UUIDs, peer ids): 1–64 characters of [A-Za-z0-9_-]. */
export const MediaIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid id');
/** What a producer carries: microphone, camera or a screen share. */
export const MediaSourceSchema = z.enum(['mic', 'camera', 'screen']);
export type MediaSource = z.infer<typeof MediaSourceSchema>;
/** How media flows: directly between two browsers, or through the SFU. */
export const CallModeSchema = z.enum(['p2p', 'sfu']);
export type CallMode = z.infer<typeof CallModeSchema>;
/** A mediasoup parameter object, passed through as JSON and validated by mediasoup. */
const OpaqueSchema = z.record(z.string(), z.unknown());
/** Request ids: chosen by the client, echoed in the answer. */
const RequestIdSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A participant of the call as others see it. */
export const CallPeerSchema = z.object({
  /** Connection-scoped id (stable while the socket lives). */
  peerId: MediaIdSchema,
  /** Token subject. */
  sub: z.string(),
  name: z.string(),
  role: RoleSchema,
  /** Whether this participant may send media (hosts/editors, or viewers a host allowed). */
  canProduce: z.boolean(),
});
export type CallPeer = z.infer<typeof CallPeerSchema>;

/** Transport parameters a client needs to create its mediasoup-client transport. */
export const TransportInfoSchema = z.object({
  id: MediaIdSchema,
  iceParameters: OpaqueSchema,
  iceCandidates: z.array(OpaqueSchema),
  dtlsParameters: OpaqueSchema,
});
export type TransportInfo = z.infer<typeof TransportInfoSchema>;

/** An ICE server for RTCPeerConnection (STUN/TURN). */
export const IceServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServerSchema>;

const req = { id: RequestIdSchema };

/** Requests a client sends; each is answered by `result` or `error` with the same id. */
export const MediaClientMessageSchema = z.discriminatedUnion('type', [
  /** First request: protocol version, access token and the room whose call to join. */
  z.object({ type: z.literal('hello'), ...req, protocolVersion: z.number().int(), token: z.string().min(1).max(4096), roomId: RoomIdSchema }).strict(),
  /** The client's device capabilities (after Device.load); needed before anything is consumed. */
  z.object({ type: z.literal('setRtpCapabilities'), ...req, rtpCapabilities: OpaqueSchema }).strict(),
  /** Create a WebRTC transport on the SFU, for sending or receiving. */
  z.object({ type: z.literal('createTransport'), ...req, direction: z.enum(['send', 'recv']) }).strict(),
  /** Finish a transport's DTLS handshake with the client's parameters. */
  z.object({ type: z.literal('connectTransport'), ...req, transportId: MediaIdSchema, dtlsParameters: OpaqueSchema }).strict(),
  /** Fresh ICE credentials after a network change; the client calls transport.restartIce with them. */
  z.object({ type: z.literal('restartIce'), ...req, transportId: MediaIdSchema }).strict(),
  /** Send a track through the SFU (mic, camera with simulcast, or screen share). */
  z.object({ type: z.literal('produce'), ...req, transportId: MediaIdSchema, kind: z.enum(['audio', 'video']), source: MediaSourceSchema, rtpParameters: OpaqueSchema }).strict(),
  /** Stop sending a track. */
  z.object({ type: z.literal('closeProducer'), ...req, producerId: MediaIdSchema }).strict(),
  /** Mute (pause) or unmute (resume) a track being sent. */
  z.object({ type: z.literal('pauseProducer'), ...req, producerId: MediaIdSchema }).strict(),
  z.object({ type: z.literal('resumeProducer'), ...req, producerId: MediaIdSchema }).strict(),
  /** Start or stop receiving a consumer (the tile became visible / hidden). */
  z.object({ type: z.literal('resumeConsumer'), ...req, consumerId: MediaIdSchema }).strict(),
  z.object({ type: z.literal('pauseConsumer'), ...req, consumerId: MediaIdSchema }).strict(),
  /** Pick a simulcast layer for a consumer (by tile size); 0 is the smallest. */
  z.object({ type: z.literal('setConsumerLayers'), ...req, consumerId: MediaIdSchema, spatialLayer: z.number().int().min(0).max(2), temporalLayer: z.number().int().min(0).max(2).optional() }).strict(),
  /** Relay a simple-peer signal to the other participant of a two-person call. */
  z.object({ type: z.literal('signal'), ...req, to: MediaIdSchema, data: z.unknown() }).strict(),
  /** Let a viewer send media, or take it back (hosts only). */
  z.object({ type: z.literal('allowProduce'), ...req, peerId: MediaIdSchema, allowed: z.boolean() }).strict(),
  /** Replace the access token before it expires (same subject and room). */
  z.object({ type: z.literal('refresh'), ...req, token: z.string().min(1).max(4096) }).strict(),
]);
export type MediaClientMessage = z.infer<typeof MediaClientMessageSchema>;
export type MediaRequestType = MediaClientMessage['type'];
/** The request of a given type. */
export type MediaRequest<T extends MediaRequestType> = Extract<MediaClientMessage, { type: T }>;

/** What `hello` answers: who you are, the call's state and what the client needs to join it. */
export const WelcomeSchema = z.object({
  protocolVersion: z.literal(MEDIA_PROTOCOL_VERSION),
  you: CallPeerSchema,
  peers: z.array(CallPeerSchema),
  mode: CallModeSchema,
  routerRtpCapabilities: OpaqueSchema,
  iceServers: z.array(IceServerSchema),
  /** Who is speaking now; consumers for producers already in the call arrive after setRtpCapabilities. */
  activeSpeaker: MediaIdSchema.nullable(),
});
export type Welcome = z.infer<typeof WelcomeSchema>;

const Empty = z.object({});

/** The `result` data of each request type (request/response pairs, by name). */
export const MEDIA_RESPONSE_SCHEMAS = {
  hello: WelcomeSchema,
  setRtpCapabilities: Empty,
  createTransport: TransportInfoSchema,
  connectTransport: Empty,
  restartIce: z.object({ iceParameters: OpaqueSchema }),
  produce: z.object({ producerId: MediaIdSchema }),
  closeProducer: Empty,
  pauseProducer: Empty,
  resumeProducer: Empty,
  resumeConsumer: Empty,
  pauseConsumer: Empty,
  setConsumerLayers: Empty,
  signal: Empty,
  allowProduce: Empty,
  refresh: Empty,
} as const satisfies Record<MediaRequestType, z.ZodType>;
/** The result data of a given request type. */
export type MediaResponse<T extends MediaRequestType> = z.infer<(typeof MEDIA_RESPONSE_SCHEMAS)[T]>;

/** Every error code a client may see in an `error` message. */
const ErrorCodeSchema = z.enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]);

/** A consumer the server created for this client (starts paused; resume it when its tile shows). */
export const NewConsumerSchema = z.object({
  consumerId: MediaIdSchema,
  producerId: MediaIdSchema,
  peerId: MediaIdSchema,
  kind: z.enum(['audio', 'video']),
  source: MediaSourceSchema,
  rtpParameters: OpaqueSchema,
  /** Whether the sender has paused (muted) the track. */
  producerPaused: z.boolean(),
});
export type NewConsumer = z.infer<typeof NewConsumerSchema>;

/** Messages the server sends. */
export const MediaServerMessageSchema = z.discriminatedUnion('type', [
  /** The answer to request `id`; `data` is shaped by MEDIA_RESPONSE_SCHEMAS[request]. */
  z.object({ type: z.literal('result'), id: RequestIdSchema, request: z.string(), data: z.unknown() }),
  /** A request failed and changed nothing (id is null when the frame could not be parsed). */
  z.object({ type: z.literal('error'), id: RequestIdSchema.nullable(), code: ErrorCodeSchema, message: z.string(), request: z.string().optional() }),
  /** Someone joined the call. */
  z.object({ type: z.literal('peerJoined'), peer: CallPeerSchema }),
  /** Someone's permissions changed (a host allowed a viewer to produce). */
  z.object({ type: z.literal('peerUpdated'), peer: CallPeerSchema }),
  /** Someone left the call. */
  z.object({ type: z.literal('peerLeft'), peerId: MediaIdSchema }),
  /** The call switched between peer-to-peer and SFU; in p2p, `peerId` is the other browser and `initiator` says who offers. */
  z.object({ type: z.literal('mode'), mode: CallModeSchema, peerId: MediaIdSchema.nullable(), initiator: z.boolean() }),
  /** A consumer was created for this client. */
  z.object({ type: z.literal('newConsumer'), consumer: NewConsumerSchema }),
  /** A consumer ended (its producer closed or its sender left). */
  z.object({ type: z.literal('consumerClosed'), consumerId: MediaIdSchema }),
  /** The sender paused or resumed the track behind a consumer. */
  z.object({ type: z.literal('producerPaused'), consumerId: MediaIdSchema, paused: z.boolean() }),
  /** Who is speaking now (null: nobody). */
  z.object({ type: z.literal('activeSpeaker'), peerId: MediaIdSchema.nullable() }),
  /** A simple-peer signal from the other participant of a two-person call. */
  z.object({ type: z.literal('signal'), from: MediaIdSchema, data: z.unknown() }),
]);
export type MediaServerMessage = z.infer<typeof MediaServerMessageSchema>;
