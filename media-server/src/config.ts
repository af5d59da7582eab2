import { existsSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { types } from 'mediasoup';
import { IceServerSchema, LOG_LEVELS, parseEnv, PortSchema, PositiveIntSchema, type IceServer } from '@coderoom/shared';

/** The mediasoup release whose worker scripts/build-worker builds (Node 20's newest). */
export const MEDIASOUP_VERSION = '3.19.3';
/** Default first WebRtcServer port; worker i listens on UDP and TCP port base + i. */
export const DEFAULT_RTC_BASE_PORT = 40000;
/** Default consumers a room puts on one worker's router before it pipes to a router on another worker. */
export const DEFAULT_CONSUMERS_PER_WORKER = 500;
/** Default bitrate a new WebRTC transport may send before estimates arrive, in bits per second. */
export const DEFAULT_INITIAL_OUTGOING_BITRATE_BPS = 1_000_000;
/** Default wait for a socket's hello, in ms. */
export const DEFAULT_HELLO_TIMEOUT_MS = 10_000;

const onOff = z.enum(['on', 'off', '1', '0', 'true', 'false']).transform((v) => v === 'on' || v === '1' || v === 'true');

const IceServersFromEnv = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON: [{"urls":"stun:host:3478"}]' });
      return z.NEVER;
    }
  })
  .pipe(z.array(IceServerSchema));

const MediaEnvSchema = z.object({
  MEDIA_WORKERS: PositiveIntSchema.max(256).optional(),
  MEDIA_RTC_MIN_PORT: PortSchema.refine((p) => p > 0, 'must be a fixed port').default(DEFAULT_RTC_BASE_PORT),
  MEDIA_LISTEN_IP: z.string().min(1).default('127.0.0.1'),
  MEDIA_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  MEDIA_ICE_SERVERS: IceServersFromEnv.default([]),
  MEDIA_P2P: onOff.default(true),
  MEDIA_CONSUMERS_PER_WORKER: PositiveIntSchema.default(DEFAULT_CONSUMERS_PER_WORKER),
  MEDIA_INITIAL_OUTGOING_BITRATE_BPS: PositiveIntSchema.default(DEFAULT_INITIAL_OUTGOING_BITRATE_BPS),
  MEDIA_HELLO_TIMEOUT_MS: PositiveIntSchema.default(DEFAULT_HELLO_TIMEOUT_MS),
  MEDIA_ALLOWED_ORIGINS: z.string().default(''),
  MEDIA_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  MEDIA_LOG_TAGS: z.string().default(''),
  MEDIASOUP_WORKER_BIN: z.string().min(1).optional(),
  XDG_CACHE_HOME: z.string().min(1).optional(),
  HOME: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: PortSchema.default(8083),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

/** The media server's configuration: frozen, parsed once at boot. */
export interface MediaConfig {
  /** mediasoup workers to run, one per core by default (MEDIA_WORKERS). */
  readonly workers: number;
  /** WebRtcServer port of worker 0; worker i uses base + i for UDP and TCP (MEDIA_RTC_MIN_PORT). */
  readonly rtcBasePort: number;
  /** Local address the WebRtcServers bind (MEDIA_LISTEN_IP). */
  readonly listenIp: string;
  /** Address announced in ICE candidates, for NAT (MEDIA_ANNOUNCED_ADDRESS); null announces listenIp. */
  readonly announcedAddress: string | null;
  /** STUN/TURN servers handed to browsers (MEDIA_ICE_SERVERS, JSON). */
  readonly iceServers: readonly IceServer[];
  /** Whether two-person calls go peer-to-peer (MEDIA_P2P=on|off). */
  readonly p2p: boolean;
  /** Consumers per room and worker before the room spreads to another worker (MEDIA_CONSUMERS_PER_WORKER). */
  readonly consumersPerWorker: number;
  /** Initial outgoing bitrate of a WebRTC transport, in bps (MEDIA_INITIAL_OUTGOING_BITRATE_BPS). */
  readonly initialOutgoingBitrateBps: number;
  /** How long a socket may wait before its hello, in ms (MEDIA_HELLO_TIMEOUT_MS). */
  readonly helloTimeoutMs: number;
  /** Origins allowed besides the host's own (MEDIA_ALLOWED_ORIGINS, comma-separated). */
  readonly allowedOrigins: readonly string[];
  /** mediasoup worker log level (MEDIA_LOG_LEVEL). */
  readonly workerLogLevel: 'debug' | 'warn' | 'error' | 'none';
  /** mediasoup worker log tags, e.g. `ice,dtls` (MEDIA_LOG_TAGS, comma-separated). */
  readonly workerLogTags: readonly types.WorkerLogTag[];
  /**
   * The worker binary: MEDIASOUP_WORKER_BIN, else scripts/build-worker's cached build when it
   * exists, else null (mediasoup uses its own prebuilt or locally built worker).
   */
  readonly workerBin: string | null;
  /** Standalone mode only: key directory root, where main.ts listens, and its log level. */
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

/** Where scripts/build-worker puts the worker it builds. */
export function cachedWorkerBinPath(env: { XDG_CACHE_HOME?: string | undefined; HOME?: string | undefined }): string {
  const cacheRoot = env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache');
  return join(cacheRoot, 'coderoom', `mediasoup-worker-${MEDIASOUP_VERSION}`, 'mediasoup-worker');
}

/** Parses the media server's environment once; throws with every invalid variable listed. */
export function loadMediaConfig(env: Record<string, string | undefined>, overrides: Partial<MediaConfig> = {}): MediaConfig {
  const e = parseEnv(MediaEnvSchema, env);
  const cached = cachedWorkerBinPath(e);
  return Object.freeze({
    workers: e.MEDIA_WORKERS ?? availableParallelism(),
    rtcBasePort: e.MEDIA_RTC_MIN_PORT,
    listenIp: e.MEDIA_LISTEN_IP,
    announcedAddress: e.MEDIA_ANNOUNCED_ADDRESS ?? null,
    iceServers: Object.freeze(e.MEDIA_ICE_SERVERS),
    p2p: e.MEDIA_P2P,
    consumersPerWorker: e.MEDIA_CONSUMERS_PER_WORKER,
    initialOutgoingBitrateBps: e.MEDIA_INITIAL_OUTGOING_BITRATE_BPS,
    helloTimeoutMs: e.MEDIA_HELLO_TIMEOUT_MS,
    allowedOrigins: Object.freeze(e.MEDIA_ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean)),
    workerLogLevel: e.MEDIA_LOG_LEVEL,
    workerLogTags: Object.freeze(e.MEDIA_LOG_TAGS.split(',').map((t) => t.trim()).filter(Boolean) as types.WorkerLogTag[]),
    workerBin: e.MEDIASOUP_WORKER_BIN ?? (existsSync(cached) ? cached : null),
    dataDir: resolve(e.DATA_DIR),
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    ...overrides,
  });
}
