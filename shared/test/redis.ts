import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './ports.js';

/** Debian's redis-server (`redis-server` in scripts/setup). */
export const REDIS_SERVER_BIN = '/usr/bin/redis-server';
/** How long a fresh server may take to answer PING. */
const START_TIMEOUT_MS = 15_000;
/** How long a shutdown may take before the server is killed. */
const STOP_TIMEOUT_MS = 5_000;

/** A redis-server of its own, in a temporary directory, on a free 127.0.0.1 port, without persistence. */
export interface RedisServer {
  port: number;
  /** redis:// URL of this server. */
  url: string;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** Stops the server process (by its PID); the port and directory stay reserved for `start()`. */
  stop(): Promise<void>;
  /** Starts the server again on the same port (empty: it keeps nothing). */
  start(): Promise<void>;
  /** Stops the server and removes its directory; idempotent. */
  close(): Promise<void>;
}

/** Whether a redis-server answers PING on `port`. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (c: Buffer) => {
      reply += c.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.once('error', () => undefined);
    socket.once('close', () => resolve(reply.startsWith('+PONG')));
  });
}

/** Starts a real redis-server for tests (`--save '' --appendonly no`: nothing survives a restart). */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'coderoom-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const start = async (): Promise<void> => {
    if (child) throw new Error('redis-server is already running');
    const proc = spawn(
      REDIS_SERVER_BIN,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    proc.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await pings(port))) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`redis-server did not start on ${port}:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    child = null;
  };

  let closed: Promise<void> | null = null;
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return child !== null;
    },
    stop,
    start,
    close() {
      closed ??= stop().then(() => rmSync(dir, { recursive: true, force: true }));
      return closed;
    },
  };
}

/** One redis-server for the calling test file: started before its first test, stopped after its last. */
export function useRedis(): () => RedisServer {
  let server: RedisServer | null = null;
  beforeAll(async () => {
    server = await startRedis();
  }, START_TIMEOUT_MS + 5_000);
  afterAll(async () => {
    await server?.close();
  }, STOP_TIMEOUT_MS + 5_000);
  return () => {
    if (!server) throw new Error('useRedis(): the server is not running (call it at the top level of a test file)');
    return server;
  };
}
