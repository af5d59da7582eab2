import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { createLogger, ERRORS, type Role } from '@coderoom/shared';
import { CollabServer, loadCollabConfig } from '../src/index.js';

/** A fresh temporary directory, removed when the test finishes. */
export function tempDir(prefix = 'coderoom-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestServer {
  server: CollabServer;
  url: string;
  wsUrl: string;
  dataDir: string;
}

/** Starts a real CollabServer on 127.0.0.1:0 with its own data dir; closed when the test finishes. */
export async function startServer(env: Record<string, string> = {}, dataDir = tempDir()): Promise<TestServer> {
  const config = loadCollabConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const server = await CollabServer.open(config, createLogger('silent'));
  onTestFinished(() => server.close());
  const { port } = await server.listen();
  return { server, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/collab`, dataDir };
}

/** Calls the REST API; returns status and parsed JSON. */
export async function api(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Creates a room through the API; returns its id and the host's token. */
export async function createRoom(base: string, name = 'Room', displayName = 'Host'): Promise<{ roomId: string; hostToken: string }> {
  const r = await api(base, 'POST', '/api/rooms', { name, displayName });
  if (r.status !== 201) throw new Error(`create room failed: ${JSON.stringify(r.body)}`);
  return { roomId: r.body.room.id, hostToken: r.body.token };
}

/** Joins a room through the API with a role; returns the token. */
export async function joinRoom(base: string, roomId: string, displayName: string, role: Exclude<Role, 'host'> = 'editor'): Promise<string> {
  const r = await api(base, 'POST', `/api/rooms/${roomId}/join`, { displayName, role });
  if (r.status !== 200) throw new Error(`join failed: ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/** Creates a file through the API. */
export async function createFile(base: string, roomId: string, path: string, token: string): Promise<void> {
  const r = await api(base, 'POST', `/api/rooms/${roomId}/files`, { path }, token);
  if (r.status !== 201) throw new Error(`create file failed: ${JSON.stringify(r.body)}`);
}

export interface TestClient {
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
  doc: Y.Doc;
  text: Y.Text;
  /** Resolves when the provider has synced. */
  synced: Promise<void>;
  /** Resolves with the reason when authentication fails. */
  authFailed: Promise<string>;
}

/** A real @hocuspocus/provider client over a real WebSocket (on `doc`, a fresh one by default); destroyed when the test finishes. */
export function connect(wsUrl: string, name: string, token: string, doc = new Y.Doc()): TestClient {
  const socket = new HocuspocusProviderWebsocket({ url: wsUrl, WebSocketPolyfill: WebSocket, maxAttempts: 0, delay: 50, minDelay: 50, maxDelay: 500 });
  let resolveSynced!: () => void;
  let resolveFailed!: (r: string) => void;
  const synced = new Promise<void>((r) => (resolveSynced = r));
  const authFailed = new Promise<string>((r) => (resolveFailed = r));
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name,
    token,
    document: doc,
    onSynced: () => resolveSynced(),
    onAuthenticationFailed: ({ reason }) => resolveFailed(reason),
  });
  provider.attach();
  onTestFinished(() => {
    provider.destroy();
    socket.destroy();
  });
  return { provider, socket, doc, text: doc.getText('content'), synced, authFailed };
}

/** Waits until `provider.unsyncedChanges` is 0 (every local update acknowledged). */
export function acknowledged(provider: HocuspocusProvider, timeoutMs = 10_000): Promise<void> {
  return waitFor(() => provider.unsyncedChanges === 0, timeoutMs, 'unsyncedChanges to reach 0');
}

/** Polls `cond` until true. */
export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface CallOptions {
  body?: unknown;
  /** The session cookie value to send. */
  cookie?: string;
  /** Origin header; none by default (a non-browser client). */
  origin?: string;
  /** Content-Type; application/json by default. */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** A room token, sent as Bearer. */
  token?: string;
}

export interface CallResult {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  setCookie: string | null;
  /** The session cookie value the response set, if any. */
  session: string | null;
  headers: Headers;
}

/** Calls the API the way a browser would: JSON body, optional cookie and Origin. */
export async function call(base: string, method: string, path: string, o: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.contentType !== null && method !== 'GET') headers['content-type'] = o.contentType ?? 'application/json';
  if (o.cookie !== undefined) headers.cookie = `other=1; coderoom_session=${o.cookie}`;
  if (o.origin !== undefined) headers.origin = o.origin;
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  const res = await fetch(base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const setCookie = res.headers.get('set-cookie');
  const session = setCookie ? (/^coderoom_session=([^;]*)/.exec(setCookie)?.[1] ?? null) : null;
  return { status: res.status, body: text && type.startsWith('application/json') ? JSON.parse(text) : text, setCookie, session, headers: res.headers };
}

/** A password the rules accept. */
export const PASSWORD = 'correct horse battery';

/** Signs up through the API; returns the session cookie and the account. */
export async function signUp(base: string, email = 'ann@example.com', displayName = 'Ann', password = PASSWORD): Promise<{ cookie: string; user: { id: string; isAdmin: boolean } }> {
  const r = await call(base, 'POST', '/api/auth/signup', { body: { email, password, displayName } });
  if (r.status !== 201) throw new Error(`signup failed: ${JSON.stringify(r.body)}`);
  return { cookie: r.session!, user: r.body.user };
}

/** Signs in through the API; returns the session cookie. */
export async function signIn(base: string, email = 'ann@example.com', password = PASSWORD): Promise<string> {
  const r = await call(base, 'POST', '/api/auth/signin', { body: { email, password } });
  if (r.status !== 200) throw new Error(`signin failed: ${JSON.stringify(r.body)}`);
  return r.session!;
}

/** Asserts an error answer: the code's status and the code. */
export function expectError(r: CallResult, code: keyof typeof ERRORS): void {
  expect(r.status, JSON.stringify(r.body)).toBe(ERRORS[code].httpStatus);
  expect(r.body.error.code).toBe(code);
}

