import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { createLogger, TokenIssuer, TokenVerifier, type AuditEvent, type Role } from '@coderoom/shared';
import { MEDIA_PROTOCOL_VERSION, type MediaServerMessage, type MediaRequestType, type MediaResponse, type Welcome } from '@coderoom/shared/client';
import { createMediaServer, loadMediaConfig, type MediaConfig, type MediaServer } from '../src/index.js';

/** A room id every test uses unless it needs two. */
export const ROOM = 'room_media_0001';

/** A free-looking WebRtcServer base port per test file (files run in parallel; each test uses two ports). */
export function randomBasePort(): number {
  return 10000 + 2 * Math.floor(Math.random() * 4900);
}

/** A running media server on a real HTTP server (port 0), torn down when the test ends. */
export interface Hub {
  media: MediaServer;
  issuer: TokenIssuer;
  audit: AuditEvent[];
  url: string;
  origin: string;
  config: MediaConfig;
  token(sub: string, role: Role, room?: string, ttlSeconds?: number): Promise<string>;
  /** Connects and completes the hello; teardown registered. */
  client(sub: string, role: Role, room?: string): Promise<Client>;
}

export async function startHub(env: Record<string, string> = {}): Promise<Hub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'media-'));
  const config = loadMediaConfig({ HOME: process.env.HOME, MEDIA_WORKERS: '2', MEDIA_RTC_MIN_PORT: String(randomBasePort()), ...env });
  const issuer = await TokenIssuer.open(dataDir);
  const audit: AuditEvent[] = [];
  const media = await createMediaServer({ config, logger: createLogger('silent'), verifier: new TokenVerifier(issuer.jwks()), audit: { append: (e) => audit.push(e) }, allowedOrigins: [] });
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => media.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  onTestFinished(async () => {
    await media.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  });
  const hub: Hub = {
    media,
    issuer,
    audit,
    url: `ws://127.0.0.1:${port}/media`,
    origin: `http://127.0.0.1:${port}`,
    config,
    token: (sub, role, room = ROOM, ttl) => issuer.sign({ sub, name: `name-${sub}`, room, role }, ttl),
    async client(sub, role, room = ROOM) {
      const c = await Client.connect(hub.url, { origin: hub.origin });
      c.welcome = await c.request('hello', { protocolVersion: MEDIA_PROTOCOL_VERSION, token: await hub.token(sub, role, room), roomId: room });
      return c;
    },
  };
  return hub;
}

/** An error answer, as a value. */
export interface ErrorAnswer {
  error: { code: string; message: string };
}

/** A real `ws` client that records every message it gets and pairs answers with requests. */
export class Client {
  readonly messages: MediaServerMessage[] = [];
  welcome: Welcome | null = null;
  closed: { code: number; reason: string } | null = null;
  private nextId = 1000; // above the ids fuzz frames carry
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as MediaServerMessage);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => undefined);
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
    const ws = new WebSocket(url, { headers });
    const c = new Client(ws);
    onTestFinished(() => ws.terminate());
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode })));
      ws.once('error', reject);
    });
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends a request and resolves with its result data; rejects with the error answer. */
  async request<T extends MediaRequestType>(type: T, body: Record<string, unknown> = {}): Promise<MediaResponse<T>> {
    const answer = await this.ask(type, body);
    if ('error' in answer) throw Object.assign(new Error(`${answer.error.code}: ${answer.error.message}`), answer.error);
    return answer.data as MediaResponse<T>;
  }

  /** Sends a request and resolves with `{ data }` or `{ error }`. */
  async ask(type: string, body: Record<string, unknown> = {}): Promise<{ data: unknown } | ErrorAnswer> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type, id, ...body }));
    let answer: MediaServerMessage | undefined;
    await this.until(() => {
      answer = this.messages.find((m) => (m.type === 'result' || m.type === 'error') && m.id === id);
      return answer !== undefined;
    }, `answer to ${type}`);
    if (answer!.type === 'error') return { error: { code: answer!.code, message: answer!.message } };
    return { data: (answer as Extract<MediaServerMessage, { type: 'result' }>).data };
  }

  /** Waits until `pred` holds over the messages so far. */
  async until(pred: () => boolean, what = 'condition', timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (this.closed && !pred()) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** The latest message of `type` (after index `from`) matching `pred`, waiting for one. */
  async next<T extends MediaServerMessage['type']>(type: T, pred: (m: Extract<MediaServerMessage, { type: T }>) => boolean = () => true, from = 0): Promise<Extract<MediaServerMessage, { type: T }>> {
    let found: Extract<MediaServerMessage, { type: T }> | undefined;
    await this.until(() => {
      found = this.messages.slice(from).findLast((m): m is Extract<MediaServerMessage, { type: T }> => m.type === type && pred(m as Extract<MediaServerMessage, { type: T }>));
      return found !== undefined;
    }, type);
    return found!;
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closed !== null, 'close');
    return this.closed!;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** RTP parameters of an Opus microphone track as a browser would send them. */
export function micRtpParameters(ssrc: number): Record<string, unknown> {
  return {
    mid: '0',
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 }, rtcpFeedback: [] }],
    headerExtensions: [],
    encodings: [{ ssrc, dtx: true }],
    rtcp: { cname: `cname-${ssrc}`, reducedSize: true },
  };
}

/** RTP parameters of a VP8 camera track with three simulcast layers. */
export function cameraRtpParameters(ssrcBase: number): Record<string, unknown> {
  return {
    mid: '1',
    codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] }],
    headerExtensions: [],
    encodings: [0, 1, 2].map((i) => ({ ssrc: ssrcBase + i, scalabilityMode: 'L1T3' })),
    rtcp: { cname: `cname-${ssrcBase}`, reducedSize: true },
  };
}
