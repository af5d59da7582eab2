import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { createLogger, TokenIssuer, TokenVerifier, type AuditEvent, type Role } from '@coderoom/shared';
import { PTY_PROTOCOL_VERSION, type PtyClientMessage, type PtyServerMessage } from '@coderoom/shared/client';
import { createPtyGateway, loadPtyConfig, type PtyConfig, type PtyGateway } from '../src/index.js';

/** A room id every test uses unless it needs two. */
export const ROOM = 'room_test_0001';

/** A running gateway on a real HTTP server (port 0), torn down when the test ends. */
export interface Hub {
  gateway: PtyGateway;
  issuer: TokenIssuer;
  audit: AuditEvent[];
  url: string;
  origin: string;
  dataDir: string;
  config: PtyConfig;
  token(sub: string, role: Role, room?: string, ttlSeconds?: number): Promise<string>;
  /** Connects and completes the hello; teardown registered. */
  client(sub: string, role: Role, opts?: { resume?: { terminalId: string; lastSeq: number } }): Promise<Client>;
}

/** Scale-out in tests: which node serves the room (`admitRoom`), and another hub whose signing key this one shares. */
export interface ScaleOptions {
  admitRoom?: (roomId: string) => Promise<string | null>;
  sharesKeyWith?: Hub;
}

export async function startHub(env: Record<string, string> = {}, overrides: Partial<PtyConfig> = {}, scale: ScaleOptions = {}): Promise<Hub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pty-gw-'));
  const config = loadPtyConfig({ PATH: process.env.PATH, DATA_DIR: dataDir, ...env }, overrides);
  const issuer = scale.sharesKeyWith?.issuer ?? (await TokenIssuer.open(dataDir));
  const audit: AuditEvent[] = [];
  const gateway = createPtyGateway({
    config,
    logger: createLogger('silent'),
    verifier: new TokenVerifier(issuer.jwks()),
    audit: { append: (e) => audit.push(e) },
    admitRoom: scale.admitRoom,
  });
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  onTestFinished(async () => {
    await gateway.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  });
  const hub: Hub = {
    gateway,
    issuer,
    audit,
    url: `ws://127.0.0.1:${port}/pty`,
    origin: `http://127.0.0.1:${port}`,
    dataDir,
    config,
    token: (sub, role, room = ROOM, ttl) => issuer.sign({ sub, name: `name-${sub}`, room, role }, ttl),
    async client(sub, role, opts = {}) {
      const c = await Client.connect(hub.url, { origin: hub.origin });
      await c.hello(await hub.token(sub, role), ROOM, opts.resume);
      return c;
    },
  };
  return hub;
}

/** A real `ws` client that records every message it gets. */
export class Client {
  readonly messages: PtyServerMessage[] = [];
  private readonly outputs = new Map<string, string>();
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as PtyServerMessage;
      this.messages.push(m);
      if (m.type === 'output') this.outputs.set(m.terminalId, (this.outputs.get(m.terminalId) ?? '') + m.data);
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

  send(msg: PtyClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  async hello(token: string, roomId = ROOM, resume?: { terminalId: string; lastSeq: number }): Promise<Extract<PtyServerMessage, { type: 'welcome' }>> {
    this.send({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token, roomId, ...(resume ? { resume } : {}) });
    return this.next('welcome');
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

  /** The first message of `type` (after index `from`) matching `pred`, waiting for it. */
  async next<T extends PtyServerMessage['type']>(type: T, pred: (m: Extract<PtyServerMessage, { type: T }>) => boolean = () => true, from = 0): Promise<Extract<PtyServerMessage, { type: T }>> {
    let found: Extract<PtyServerMessage, { type: T }> | undefined;
    await this.until(() => {
      found = this.messages.slice(from).find((m): m is Extract<PtyServerMessage, { type: T }> => m.type === type && pred(m as Extract<PtyServerMessage, { type: T }>));
      return found !== undefined;
    }, type);
    return found!;
  }

  /** All output of a terminal received so far, concatenated. */
  output(terminalId: string): string {
    return this.outputs.get(terminalId) ?? '';
  }

  /** Waits until the terminal's output contains `text`. */
  async waitOutput(terminalId: string, text: string, timeoutMs?: number): Promise<void> {
    await this.until(() => this.output(terminalId).includes(text), JSON.stringify(text), timeoutMs);
  }

  /** Creates a terminal and waits for its first snapshot; returns its id. */
  async createTerminal(opts: { cols?: number; rows?: number } = {}): Promise<string> {
    const from = this.messages.length;
    this.send({ type: 'create', ...opts });
    const snap = await this.next('snapshot', () => true, from);
    return snap.terminalId;
  }

  /** Types a command line and waits for its marker: `cmd; echo <tag>-$((n+1))` prints `<tag>-<n+1>`, which the echo of the line does not contain. */
  async run(terminalId: string, cmd: string, tag = `done${Math.floor(Math.random() * 1e6)}`, timeoutMs?: number): Promise<void> {
    this.send({ type: 'input', terminalId, data: `${cmd}; echo ${tag}-$((40+2))\r` });
    await this.waitOutput(terminalId, `${tag}-42`, timeoutMs);
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
