import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { formatDocName, TokenVerifier } from '@coderoom/shared';
import { acknowledged, api, connect, createFile, createRoom, waitFor, type TestClient } from '../../collab-server/test/helpers.js';
import { CLI_BIN, type HubProcess } from './hubProcess.js';

/** Runs the built CLI; resolves with its output and exit code. */
export function coderoom(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
    child.stdin!.end(stdin);
  });
}

/** Connects a Hocuspocus client and waits for its first sync. */
export async function open(wsUrl: string, name: string, token: string): Promise<TestClient> {
  const c = connect(wsUrl, name, token);
  await c.synced;
  return c;
}

/** Status of a password sign-in. */
export const signIn = async (url: string, email: string, password: string): Promise<number> =>
  (await fetch(`${url}/api/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })).status;

/** A client appending `<0><1><2>...` every few ms until stopped. */
export interface Typist {
  /** The document typed into. */
  name: string;
  writer: TestClient;
  /** Tokens sent so far. */
  sent(): number;
  /** Tokens the hub had acknowledged (unsyncedChanges 0) when typing was last in step. */
  acked(): number;
  /** Stops typing; resolves when the loop has ended. */
  stop(): Promise<void>;
}

/** Creates `typing.txt` in the room, starts typing into it, and waits until at least 20 tokens are acknowledged. */
export async function startTyping(hub: HubProcess, roomId: string, token: string): Promise<Typist> {
  await createFile(hub.url, roomId, 'typing.txt', token);
  const name = formatDocName({ roomId, kind: 'file', path: 'typing.txt' });
  const writer = await open(hub.wsUrl, name, token);
  let sent = 0;
  let acked = 0;
  writer.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
    if (number === 0) acked = sent;
  });
  let typing = true;
  const typed = (async () => {
    while (typing) {
      writer.text.insert(writer.text.length, `<${sent}>`);
      sent += 1;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  await waitFor(() => acked >= 20, 10_000, 'typing to be acknowledged');
  return {
    name,
    writer,
    sent: () => sent,
    acked: () => acked,
    stop: async () => {
      typing = false;
      await typed;
    },
  };
}

/** Asserts `text` is a prefix of what a Typist typed, whole tokens, no gap, at least `atLeast` tokens. */
export function expectTypedPrefix(text: string, atLeast: number): void {
  const tokens = [...text.matchAll(/<(\d+)>/g)].map((m) => Number(m[1]));
  expect(text).toBe(tokens.map((n) => `<${n}>`).join(''));
  expect(tokens).toEqual(tokens.map((_, i) => i)); // a prefix of what was typed, no gap, nothing torn
  expect(tokens.length).toBeGreaterThanOrEqual(atLeast);
}

/** The texts `fillHub` types into documents, by file path. */
export const FILL_TEXTS: Record<string, string> = { 'a.txt': 'alpha\nbeta\n', 'src/b.ts': 'export const b = 1;\n' };

/**
 * Fills a running hub through its API, the CLI (with `env`) and real Hocuspocus clients: an
 * account (ann@example.com, "ann password 123"), room "Review" with FILL_TEXTS typed into its
 * files and written back to its workspace, room "Pairing" with a CLI-issued editor token.
 */
export async function fillHub(hub: HubProcess, dataDir: string, env: Record<string, string>): Promise<{ roomId: string; hostToken: string; other: string; cliToken: string; ws: string }> {
  const cli = { ...env, DATA_DIR: dataDir };
  expect((await coderoom(['user', 'create', '--email', 'ann@example.com', '--name', 'Ann'], cli, 'ann password 123\n')).code).toBe(0);
  const { roomId, hostToken } = await createRoom(hub.url, 'Review');
  const other = (await coderoom(['room', 'create', '--name', 'Pairing'], cli)).stdout.trim();
  const cliToken = (await coderoom(['token', '--room', other, '--name', 'Bo', '--role', 'editor'], cli)).stdout.trim();
  for (const [path, text] of Object.entries(FILL_TEXTS)) {
    await createFile(hub.url, roomId, path, hostToken);
    const c = await open(hub.wsUrl, formatDocName({ roomId, kind: 'file', path }), hostToken);
    c.text.insert(0, text);
    await acknowledged(c.provider);
  }
  const ws = join(dataDir, 'workspaces', roomId);
  await waitFor(() => Object.entries(FILL_TEXTS).every(([p, t]) => existsSync(join(ws, p)) && readFileSync(join(ws, p), 'utf8') === t), 10_000, 'files written back');
  return { roomId, hostToken, other, cliToken, ws };
}

/**
 * Checks a hub started on a restored backup of a `fillHub` hub: Ann's password signs in (a wrong
 * one does not), the CLI token still verifies (the key came along), rooms and every document are
 * there, and the typed document is a prefix of what was typed holding `ackedBefore` tokens.
 * Returns the typed document's client.
 */
export async function expectRestoredHub(hub: HubProcess, dataDir: string, fill: { roomId: string; hostToken: string; other: string; cliToken: string }, typingName: string, ackedBefore: number): Promise<TestClient> {
  expect(await signIn(hub.url, 'ann@example.com', 'ann password 123')).toBe(200);
  expect(await signIn(hub.url, 'ann@example.com', 'wrong password 123')).toBe(401);
  expect((await TokenVerifier.fromDataDir(dataDir).verify(fill.cliToken)).room).toBe(fill.other);
  expect((await api(hub.url, 'GET', `/api/rooms/${fill.other}`)).body.room.name).toBe('Pairing');
  for (const [path, text] of Object.entries(FILL_TEXTS)) {
    const c = await open(hub.wsUrl, formatDocName({ roomId: fill.roomId, kind: 'file', path }), fill.hostToken);
    expect(c.text.toString(), path).toBe(text);
  }
  const t = await open(hub.wsUrl, typingName, fill.hostToken);
  expectTypedPrefix(t.text.toString(), ackedBefore);
  return t;
}
