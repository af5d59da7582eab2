import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { createLogger, type Role } from '@coderoom/shared';
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
