// The backing services of a multi-node hub, for benchmarks: one PostgreSQL 15 and one redis-server,
// each in a temp directory on a free 127.0.0.1 port, stopped by PID. (The test harnesses in
// shared/test/postgres.ts and redis.ts do the same for Vitest; this is their plain-Node twin, using
// PostgreSQL's own pg_isready/createdb so the bench needs no database driver.)
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './proc.mjs';

/** Debian's PostgreSQL 15 binaries and redis-server (both in scripts/setup). */
const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';
const REDIS_SERVER_BIN = '/usr/bin/redis-server';
const SUPERUSER = 'coderoom';
const START_TIMEOUT_MS = 30_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Stops a child by its PID: SIGTERM (or `signal`), SIGKILL after 10 s. */
async function stopChild(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

/** Keeps the last 8 KB of a child's output (for errors at start). */
function tail(child) {
  let out = '';
  const add = (c) => (out = (out + c.toString()).slice(-8192));
  child.stdout.on('data', add);
  child.stderr.on('data', add);
  return () => out;
}

/** PostgreSQL refuses to run as root: as root, run it as Debian's `postgres` user. */
function unprivileged() {
  if (process.getuid?.() !== 0) return {};
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A PostgreSQL server (fsync on, as in production); `createDatabase(name)` gives a fresh database's URL. */
export async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(sock);
  const ids = unprivileged();
  if (ids.uid !== undefined) {
    chownSync(dir, ids.uid, ids.gid);
    chownSync(sock, ids.uid, ids.gid);
  }
  execFileSync(join(POSTGRES_BIN_DIR, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], { ...ids, stdio: 'pipe' });
  const port = await freePort();
  const child = spawn(join(POSTGRES_BIN_DIR, 'postgres'), ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${sock}`, '-c', 'max_connections=200'], {
    ...ids,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = tail(child);
  const stop = async () => {
    // The data is thrown away: immediate shutdown (SIGQUIT), no checkpoint.
    await stopChild(child, 'SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  const client = ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER];
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      execFileSync(join(POSTGRES_BIN_DIR, 'pg_isready'), [...client, '-q'], { stdio: 'ignore' });
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`postgres did not start:\n${log()}`);
      }
      await sleep(100);
    }
  }
  return {
    pid: child.pid,
    createDatabase(name) {
      execFileSync(join(POSTGRES_BIN_DIR, 'createdb'), [...client, name], { stdio: 'pipe' });
      return `postgres://${SUPERUSER}@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}

/** Whether a redis-server answers PING on `port`. */
function pings(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (c) => {
      reply += c.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.once('error', () => undefined);
    socket.once('close', () => resolve(reply.startsWith('+PONG')));
  });
}

/** A redis-server without persistence. */
export async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const port = await freePort();
  const child = spawn(REDIS_SERVER_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = tail(child);
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await pings(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start:\n${log()}`);
    }
    await sleep(50);
  }
  return { pid: child.pid, url: `redis://127.0.0.1:${port}`, stop };
}
